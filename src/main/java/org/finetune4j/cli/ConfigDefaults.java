package org.finetune4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: a YAML (or JSON) file whose keys are a command's option names without the dashes
 * ({@code lr: 0.003}, {@code freeze-until: block3_pool}, {@code head-hidden: 256}), applied as picocli default
 * values, so the precedence is built-in defaults &lt; the file &lt; the command line. {@code hpo search} writes its
 * best configuration in this format.
 * <pre>
 * finetune4j train --config eval/reports/search-shapes-target/best-config.yaml --epochs 20
 * </pre>
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {

    private static final String OPTION = "--config";

    private final Map<String, String> values;

    private ConfigDefaults(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Finds {@code --config FILE} among the arguments and, if present, installs the file's values as defaults of
     * the commands that accept {@code --config}.
     *
     * @throws UsageException if the file is missing, not YAML/JSON, or has a key no such command knows
     */
    static void install(CommandLine root, String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                file = Path.of(args[i + 1]);
            } else if (args[i].startsWith(OPTION + "=")) {
                file = Path.of(args[i].substring(OPTION.length() + 1));
            }
        }
        if (file == null) {
            return;
        }
        Map<String, String> values = read(file);
        TreeSet<String> valid = new TreeSet<>();
        for (CommandLine sub : root.getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            if (spec.findOption(OPTION) != null) {
                for (OptionSpec o : spec.options()) {
                    for (String n : o.names()) {
                        if (n.startsWith("--") && !n.equals(OPTION) && !n.equals("--help") && !n.equals("--version")) {
                            valid.add(n.substring(2));
                        }
                    }
                }
            }
        }
        for (String key : values.keySet()) {
            if (!valid.contains(key)) {
                throw new UsageException(file + ": unknown key \"" + key + "\". Expected option names without the "
                        + "dashes; valid keys: " + String.join(", ", valid) + ". Fix or remove the key.");
            }
        }
        root.setDefaultValueProvider(new ConfigDefaults(values));
    }

    private static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--config " + file + ": no such file. Expected a YAML or JSON file of option "
                    + "values, e.g. the best-config.yaml a search wrote.");
        }
        JsonNode root;
        try {
            root = Json.yaml().readTree(file.toFile());
        } catch (IOException e) {
            throw new UsageException("--config " + file + ": not valid YAML or JSON (" + e.getMessage().lines()
                    .findFirst().orElse("") + "). Expected lines such as `lr: 0.003`.");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return Map.of();
        }
        if (!root.isObject()) {
            throw new UsageException("--config " + file + ": expected a mapping of option names to values; received "
                    + root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + ".");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (v.isArray()) {
                List<String> parts = new ArrayList<>();
                v.forEach(x -> parts.add(x.asText()));
                out.put(e.getKey(), String.join(",", parts));
            } else if (v.isValueNode()) {
                out.put(e.getKey(), v.asText());
            } else {
                throw new UsageException("--config " + file + ": key \"" + e.getKey() + "\" holds a mapping. "
                        + "Expected a single value or a list.");
            }
        }
        return out;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o) || o.command() == null || o.command().findOption(OPTION) == null) {
            return null;
        }
        for (String n : o.names()) {
            String key = n.replaceFirst("^-+", "");
            if (values.containsKey(key)) {
                return values.get(key);
            }
        }
        return null;
    }
}
