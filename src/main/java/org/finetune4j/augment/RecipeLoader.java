package org.finetune4j.augment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.finetune4j.core.EditDistance;
import org.finetune4j.core.Json;
import org.finetune4j.core.ShippedYaml;
import org.finetune4j.core.UsageException;

/**
 * Reads augmentation recipes from YAML and rejects invalid ones before any work, naming the file and line: unknown
 * steps or keys, probabilities outside [0, 1], empty ranges, values out of a step's bounds, a missing or unknown
 * {@code version}.
 * <pre>{@code
 * Recipe r = RecipeLoader.load("resnet-scale");              // shipped recipe, from the jar (augment/*.yaml)
 * Recipe mine = RecipeLoader.load("recipes/my.yaml");       // a file
 * }</pre>
 * Errors read like {@code augment/my.yaml line 7: unknown step "hflp". Known steps: hflip, vflip, ... Fix the name;
 * augment/README.md lists every step.}
 */
public final class RecipeLoader {

    /** The recipes shipped in {@code augment/} and packaged in the jar, by name. */
    public static final List<String> SHIPPED = List.of("none", "flip-crop", "resnet-scale", "creative");

    private static final List<String> TOP_KEYS = List.of("version", "fit", "steps");

    private RecipeLoader() {
    }

    /**
     * Loads what {@code --augment} names: an existing file, else a shipped recipe by name ({@code resnet-scale},
     * {@code resnet-scale.yaml} or {@code augment/resnet-scale.yaml}), read from the jar.
     *
     * @param nameOrPath a shipped recipe's name or the path of a YAML file
     * @return the validated recipe
     * @throws UsageException if there is no such file or recipe, or the recipe is invalid
     */
    public static Recipe load(String nameOrPath) {
        ShippedYaml y = ShippedYaml.resolve("--augment", nameOrPath, "augment", "recipe", SHIPPED);
        return parse(y.text(), y.where());
    }

    /**
     * Loads a recipe file; messages name it as {@code file} is written.
     *
     * @throws UsageException if the file cannot be read or the recipe is invalid
     */
    public static Recipe load(Path file) {
        ShippedYaml y = ShippedYaml.read(file, file.toString().replace('\\', '/'), "recipe");
        return parse(y.text(), y.where());
    }

    /**
     * Parses and validates recipe text.
     *
     * @param yaml  the recipe
     * @param where how to name it in messages, e.g. {@code augment/my.yaml}
     * @throws UsageException naming {@code where} and the line if the recipe is invalid
     */
    public static Recipe parse(String yaml, String where) {
        Document doc;
        try (JsonParser p = Json.yaml().createParser(yaml)) {
            doc = read(p, where);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String line = loc != null && loc.getLineNr() > 0 ? " line " + loc.getLineNr() : "";
            throw new UsageException(where + line + ": not valid YAML (" + problem(e.getOriginalMessage())
                    + "). Expected a recipe laid out like augment/flip-crop.yaml; received text the YAML reader "
                    + "cannot parse. Fix the indentation, colons or brackets there.", e);
        } catch (IOException e) {
            throw new UncheckedIOException(where + ": cannot read the recipe", e);
        }
        return build(doc, where);
    }

    /** A recipe file as read, before interpretation: top-level keys and raw steps, each with its line. */
    private record Document(Map<String, StepFields.Field> top, List<RawStep> steps, int stepsLine) {
    }

    /** One item of {@code steps}: its keys with their lines. */
    private record RawStep(int line, Map<String, StepFields.Field> fields) {
    }

    private static Document read(JsonParser p, String where) throws IOException {
        JsonToken t = p.nextToken();
        Map<String, StepFields.Field> top = new LinkedHashMap<>();
        List<RawStep> steps = new ArrayList<>();
        if (t == null) {
            return new Document(top, steps, 0);
        }
        if (t != JsonToken.START_OBJECT) {
            JsonNode v = Json.yaml().readTree(p);
            throw new UsageException(where + " line " + line(p) + ": not a recipe. Expected keys version, fit and "
                    + "steps; received " + StepFields.show(v) + ". Start from augment/flip-crop.yaml.");
        }
        int stepsLine = 0;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            int keyLine = line(p);
            if (top.containsKey(key)) {
                throw new UsageException(where + " line " + keyLine + ": \"" + key + "\" is given twice. Expected "
                        + "each key once; received a second \"" + key + "\" (the first is on line "
                        + top.get(key).line() + "). Remove one.");
            }
            if (!TOP_KEYS.contains(key)) {
                throw new UsageException(where + " line " + keyLine + ": unknown key \"" + key + "\" at the top of "
                        + "the recipe. Known keys: " + String.join(", ", TOP_KEYS) + suggestion(key, TOP_KEYS)
                        + ". Fix the key" + (Steps.find(key).isPresent() ? " (steps go in the steps list, as "
                        + "\"- step: " + key + "\")" : "") + "; augment/README.md describes the recipe format.");
            }
            t = p.nextToken();
            if (key.equals("steps") && (t == JsonToken.START_ARRAY)) {
                stepsLine = keyLine;
                readSteps(p, where, steps);
                top.put(key, new StepFields.Field(Json.yaml().createArrayNode(), keyLine));
            } else {
                top.put(key, new StepFields.Field(Json.yaml().readTree(p), keyLine));
            }
        }
        return new Document(top, steps, stepsLine);
    }

    private static void readSteps(JsonParser p, String where, List<RawStep> out) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            int itemLine = line(p);
            if (t != JsonToken.START_OBJECT) {
                JsonNode v = Json.yaml().readTree(p);
                String hint = v.isTextual() && Steps.find(v.asText()).isPresent()
                        ? "Write it as \"- step: " + v.asText() + "\"" : "Start each item with \"- step: <name>\"";
                throw new UsageException(where + " line " + itemLine + ": an item of steps is not a step. Expected "
                        + "a step with its keys (step: <name>, probability, ...); received " + StepFields.show(v)
                        + ". " + hint + ".");
            }
            Map<String, StepFields.Field> fields = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = line(p);
                p.nextToken();
                JsonNode value = Json.yaml().readTree(p);
                if (fields.containsKey(key)) {
                    throw new UsageException(where + " line " + keyLine + ": \"" + key + "\" is given twice in one "
                            + "step. Expected each key once per step; received a second \"" + key + "\" (the first "
                            + "is on line " + fields.get(key).line() + "). Remove one, or start a new step with "
                            + "\"- step:\".");
                }
                fields.put(key, new StepFields.Field(value, keyLine));
            }
            out.add(new RawStep(itemLine, fields));
        }
    }

    private static Recipe build(Document doc, String where) {
        StepFields.Field version = doc.top().get("version");
        if (version == null) {
            throw new UsageException(where + " line 1: missing \"version\". Expected \"version: " + Recipe.VERSION
                    + "\" at the top of every recipe; received no version key. Add the line \"version: "
                    + Recipe.VERSION + "\".");
        }
        if (!version.value().isInt() || version.value().asInt() != Recipe.VERSION) {
            throw new UsageException(where + " line " + version.line() + ": unsupported recipe version. Expected "
                    + "version: " + Recipe.VERSION + "; received " + StepFields.show(version.value()) + ". Write "
                    + "version: " + Recipe.VERSION + " (the only format so far).");
        }
        Recipe.Fit fit = Recipe.Fit.CENTER_CROP;
        StepFields.Field fitField = doc.top().get("fit");
        if (fitField != null) {
            String word = fitField.value().isTextual() ? fitField.value().asText() : "";
            Optional<Recipe.Fit> found = Arrays.stream(Recipe.Fit.values()).filter(f -> f.key().equals(word))
                    .findFirst();
            if (found.isEmpty()) {
                throw new UsageException(where + " line " + fitField.line() + ": unknown fit "
                        + StepFields.show(fitField.value()) + ". Expected one of "
                        + Arrays.stream(Recipe.Fit.values()).map(Recipe.Fit::key).collect(Collectors.joining(", "))
                        + "; received " + StepFields.show(fitField.value()) + ". Use one of those words.");
            }
            fit = found.get();
        }
        StepFields.Field stepsField = doc.top().get("steps");
        if (stepsField == null) {
            throw new UsageException(where + ": missing \"steps\". Expected a list of steps (\"steps: []\" for "
                    + "none); received no steps key. Add a steps list (augment/README.md lists every step).");
        }
        if (doc.stepsLine() == 0 && !stepsField.value().isNull()
                && !(stepsField.value().isArray() && stepsField.value().isEmpty())) {
            throw new UsageException(where + " line " + stepsField.line() + ": \"steps\" is not a list. Expected a "
                    + "list of steps, each starting with \"- step: <name>\"; received "
                    + StepFields.show(stepsField.value()) + ". Write one \"- step: <name>\" item per step.");
        }
        List<RecipeStep> steps = new ArrayList<>();
        for (RawStep raw : doc.steps()) {
            steps.add(buildStep(raw, where));
        }
        return new Recipe(Recipe.VERSION, steps, fit, where);
    }

    private static RecipeStep buildStep(RawStep raw, String where) {
        StepFields.Field nameField = raw.fields().get("step");
        if (nameField == null) {
            throw new UsageException(where + " line " + raw.line() + ": a step without a name. Expected \"step: "
                    + "<name>\" in every item of steps; received the keys " + String.join(", ", raw.fields().keySet())
                    + ". Add the step's name (augment/README.md lists every step).");
        }
        String name = nameField.value().isTextual() ? nameField.value().asText() : StepFields.show(nameField.value());
        Steps.StepType type = Steps.find(name).orElseThrow(() -> new UsageException(where + " line "
                + nameField.line() + ": unknown step \"" + name + "\". Known steps: "
                + String.join(", ", Steps.names()) + suggestion(name, Steps.names())
                + ". Fix the name; augment/README.md lists every step."));
        List<String> allowed = new ArrayList<>(List.of("step", "probability"));
        allowed.addAll(type.keys());
        for (Map.Entry<String, StepFields.Field> e : raw.fields().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw new UsageException(where + " line " + e.getValue().line() + ": unknown key \"" + e.getKey()
                        + "\" for step \"" + name + "\". Known keys: " + String.join(", ", allowed)
                        + suggestion(e.getKey(), allowed) + ". Fix the key; augment/README.md lists every step's "
                        + "keys.");
            }
        }
        StepFields fields = new StepFields(where, name, nameField.line(), raw.fields());
        double probability = type.defaultProbability();
        StepFields.Field pf = raw.fields().get("probability");
        if (pf != null) {
            if (!pf.value().isNumber()) {
                throw fields.error("probability", "probability of step \"" + name + "\" is not a number. Expected "
                        + "a number from 0 to 1; received " + StepFields.show(pf.value()) + ". Write e.g. "
                        + "probability: 0.5.");
            }
            probability = pf.value().asDouble();
        }
        try {
            return new RecipeStep(name, probability, type.parser().apply(fields), raw.line());
        } catch (SettingException e) {
            throw new UsageException(where + " line " + fields.lineOf(e.key()) + ": " + e.getMessage(), e);
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    /** @return the YAML reader's description of the problem, without its location and excerpt lines */
    private static String problem(String message) {
        if (message == null || message.isBlank()) {
            return "syntax error";
        }
        return message.lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .map(String::trim).collect(Collectors.joining("; "));
    }

    /** @return {@code " (did you mean X?)"} for a close known word, else empty */
    private static String suggestion(String word, List<String> known) {
        return EditDistance.closest(word.toLowerCase(Locale.ROOT), known, Math.max(1, word.length() / 3))
                .map(best -> " (did you mean \"" + best + "\"?)").orElse("");
    }
}
