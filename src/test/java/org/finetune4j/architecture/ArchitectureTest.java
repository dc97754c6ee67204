package org.finetune4j.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Guards of the design that a compiler does not check: package direction, randomness, exits, stack traces. */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/org/finetune4j");

    /** Which of our packages each package may import (besides itself). */
    /*
     * The package picture of docs/architecture.md: core <- data <- augment, model <- run, extract <- the modes train,
     * features and eval (peers: none imports another) <- clean (uses features and eval), tune (runs trials of train
     * and features) <- report <- stage <- cli; beside them, api (the public library API) on model, data and core, and
     * serve (the HTTP service) on api; cli uses both.
     */
    private static final Set<String> BELOW_RUN = Set.of("core", "data", "augment", "model");
    private static final Set<String> BELOW_MODES = union(BELOW_RUN, Set.of("run", "extract"));
    private static final Set<String> MODES = Set.of("train", "features", "eval");
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("core", Set.of()),
            Map.entry("data", Set.of("core")),
            Map.entry("augment", Set.of("core", "data")),
            Map.entry("model", Set.of("core", "data")),
            Map.entry("run", BELOW_RUN),
            Map.entry("extract", BELOW_RUN),
            Map.entry("eval", BELOW_MODES),
            Map.entry("train", BELOW_MODES),
            Map.entry("features", BELOW_MODES),
            Map.entry("clean", union(BELOW_MODES, Set.of("features", "eval"))),
            Map.entry("tune", union(BELOW_MODES, MODES)),
            Map.entry("report", union(BELOW_MODES, MODES, Set.of("tune", "clean"))),
            Map.entry("stage", union(BELOW_MODES, MODES, Set.of("tune", "clean", "report"))),
            Map.entry("cli", union(BELOW_MODES, MODES, Set.of("tune", "clean", "report", "stage", "api", "serve"))),
            // the public library API sits on the bundle and its preprocessing; the HTTP service on the API
            Map.entry("api", Set.of("core", "data", "model")),
            Map.entry("serve", Set.of("core", "data", "model", "api")));

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new java.util.TreeSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?org\\.finetune4j\\.(\\w+)\\.",
            Pattern.MULTILINE);

    private record Source(String pkg, Path path, String text) {
    }

    private static List<Source> sources() throws IOException {
        List<Source> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(MAIN)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                out.add(new Source(MAIN.relativize(p).getName(0).toString(), p, Files.readString(p)));
            }
        }
        return out;
    }

    @Test
    void everyPackageIsKnownAndHasAPackageInfo() throws IOException {
        for (Source s : sources()) {
            assertThat(ALLOWED).as("package of %s", s.path()).containsKey(s.pkg());
        }
        for (String pkg : ALLOWED.keySet()) {
            Path dir = MAIN.resolve(pkg);
            if (Files.isDirectory(dir) && hasJava(dir)) {
                assertThat(dir.resolve("package-info.java")).as("package-info of %s", pkg).exists();
            }
        }
    }

    private static boolean hasJava(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java"));
        }
    }

    @Test
    void dependenciesPointOneWay() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Source s : sources()) {
            Matcher m = IMPORT.matcher(s.text());
            while (m.find()) {
                String target = m.group(1);
                if (!target.equals(s.pkg()) && !ALLOWED.get(s.pkg()).contains(target)) {
                    violations.add(s.path() + " imports " + target);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void randomnessComesOnlyFromSeeds() throws IOException {
        Map<String, Pattern> forbidden = Map.of(
                "unseeded new Random()", Pattern.compile("new (java\\.util\\.)?Random\\(\\s*\\)"),
                "Math.random", Pattern.compile("Math\\.random\\("),
                "ThreadLocalRandom", Pattern.compile("ThreadLocalRandom"),
                "one-argument Collections.shuffle", Pattern.compile("Collections\\.shuffle\\([^,()]*\\)"),
                "unseeded SplittableRandom", Pattern.compile("new SplittableRandom\\(\\s*\\)"));
        List<String> violations = new ArrayList<>();
        for (Source s : sources()) {
            forbidden.forEach((what, p) -> {
                if (p.matcher(s.text()).find()) {
                    violations.add(s.path() + ": " + what);
                }
            });
            if (s.text().contains("Nd4j.getRandom()") && !s.path().endsWith("core/Seeds.java")) {
                violations.add(s.path() + ": Nd4j.getRandom() outside core.Seeds");
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void onlyTheMainMethodExitsAndPrintsStackTraces() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Source s : sources()) {
            boolean entryPoint = s.path().endsWith("cli/Finetune4j.java");
            if (s.text().contains("System.exit(") && !entryPoint) {
                violations.add(s.path() + ": System.exit");
            }
            // the entry point prints a stack trace only under --debug
            if (s.text().contains("printStackTrace") && !entryPoint) {
                violations.add(s.path() + ": printStackTrace");
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void noUtilOrHelperNames() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Source s : sources()) {
            String name = s.path().getFileName().toString();
            if (name.matches(".*(Util|Utils|Helper|Manager|Impl)\\.java")) {
                violations.add(s.path().toString());
            }
        }
        assertThat(violations).isEmpty();
    }
}
