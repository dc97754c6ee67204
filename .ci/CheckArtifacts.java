import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every classified artifact of a Maven dependency tree exists in the project's remote repository, with
 * HEAD requests (nothing is downloaded). Run by .ci/check-cuda-profile:
 * {@code java .ci/CheckArtifacts.java <effective-pom.xml> <dependency-tree.txt>}.
 * The repository URL is read from the effective POM (the central repository Maven resolves from).
 */
public final class CheckArtifacts {

    private static final Pattern COORDINATES = Pattern.compile(
            "([\\w.\\-]+):([\\w.\\-]+):([\\w\\-]+):([\\w.\\-]+):([\\w.\\-]+):(compile|runtime|test|provided|system)");
    private static final Pattern CENTRAL =
            Pattern.compile("<id>central</id>\\s*<name>[^<]*</name>\\s*<url>([^<]+)</url>");

    private CheckArtifacts() {
    }

    public static void main(String[] args) throws Exception {
        String pom = Files.readString(Path.of(args[0]));
        Matcher central = CENTRAL.matcher(pom);
        if (!central.find()) {
            throw new IllegalStateException(args[0] + ": no repository with id central. Expected Maven's effective "
                    + "POM (mvn help:effective-pom).");
        }
        String base = central.group(1);
        Set<String> urls = new LinkedHashSet<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            Matcher m = COORDINATES.matcher(line);
            if (m.find()) {
                String group = m.group(1);
                String artifact = m.group(2);
                String type = m.group(3);
                String classifier = m.group(4);
                String version = m.group(5);
                urls.add(base.replaceAll("/$", "") + "/" + group.replace('.', '/') + "/" + artifact + "/" + version
                        + "/" + artifact + "-" + version + "-" + classifier + "." + type);
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalStateException(args[1] + ": no classified artifacts found. Expected the output of "
                    + "mvn dependency:tree with natives jars (groupId:artifactId:jar:classifier:version:scope).");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        List<String> missing = new ArrayList<>();
        for (String url : urls) {
            HttpRequest head = HttpRequest.newBuilder(URI.create(url))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build();
            HttpResponse<Void> response = http.send(head, HttpResponse.BodyHandlers.discarding());
            String length = response.headers().firstValue("content-length").orElse("?");
            System.out.printf("%d %12s  %s%n", response.statusCode(), length, url.substring(base.length()));
            if (response.statusCode() != 200) {
                missing.add(url.substring(base.length()) + " (HTTP " + response.statusCode() + ")");
            }
        }
        if (!missing.isEmpty()) {
            System.err.println("CheckArtifacts: " + missing.size() + " artifact(s) do not exist: " + missing
                    + ". Fix the classifier or version in pom.xml.");
            System.exit(1);
        }
        System.out.println(urls.size() + " classified artifacts exist.");
    }
}
