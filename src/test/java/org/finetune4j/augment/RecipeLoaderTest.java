package org.finetune4j.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.finetune4j.core.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeLoaderTest {

    private static final Path SHIPPED_DIR = Path.of("augment");

    @TempDir
    Path tmp;

    private static Recipe parse(String yaml) {
        return RecipeLoader.parse(yaml, "augment/my.yaml");
    }

    @Test
    void everyShippedRecipeLoadsByNameFromTheClasspathAndByPath() {
        for (String name : RecipeLoader.SHIPPED) {
            Recipe byName = RecipeLoader.load(name);
            assertThat(byName.source()).isEqualTo("augment/" + name + ".yaml");
            assertThat(RecipeLoader.load(name + ".yaml")).isEqualTo(byName);
            Recipe byPath = RecipeLoader.load(SHIPPED_DIR.resolve(name + ".yaml"));
            assertThat(byPath.steps()).isEqualTo(byName.steps());
            assertThat(byPath.fit()).isEqualTo(byName.fit());
        }
        assertThat(RecipeLoader.load("resnet-scale").stepNames())
                .containsExactly("scale-short-side", "random-crop", "hflip");
        assertThat(RecipeLoader.load("none").steps()).isEmpty();
    }

    @Test
    void theShippedListMatchesTheYamlFilesAndEachStartsWithVersionAndAComment() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(SHIPPED_DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files.stream().map(p -> p.getFileName().toString().replace(".yaml", "")))
                .containsExactlyInAnyOrderElementsOf(RecipeLoader.SHIPPED);
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            assertThat(lines.get(0)).as(f.toString()).isEqualTo("version: 1");
            assertThat(lines.get(1)).as(f.toString()).startsWith("# " + f.getFileName().toString()
                    .replace(".yaml", "") + " — ");
        }
    }

    @Test
    void theReadmeDocumentsEveryStepAndKey() throws IOException {
        String readme = Files.readString(SHIPPED_DIR.resolve("README.md"));
        for (String step : Steps.names()) {
            assertThat(readme).contains("### `" + step + "`");
            for (String key : Steps.keys(step)) {
                assertThat(readme).as(step).contains("`" + key + "`");
            }
        }
        for (String name : RecipeLoader.SHIPPED) {
            assertThat(readme).contains("| `" + name + "` |");
        }
    }

    @Test
    void aRecipeParsesIntoItsStepsWithDefaultsForMissingKeys() {
        Recipe r = parse("""
                version: 1
                fit: stretch
                steps:
                  - step: hflip
                  - step: rotate
                    probability: 0.25
                    degrees: [-20, 20]
                    border: constant
                  - step: color-jitter
                    brightness-factor: [0.5, 1.5]
                """);
        assertThat(r.fit()).isEqualTo(Recipe.Fit.STRETCH);
        assertThat(r.steps()).hasSize(3);
        assertThat(r.steps().get(0).probability()).isEqualTo(0.5);
        assertThat(r.steps().get(0).line()).isEqualTo(4);
        assertThat(r.steps().get(1).probability()).isEqualTo(0.25);
        assertThat(r.steps().get(1).settings()).isEqualTo(new Rotate(new Range(-20, 20), Border.CONSTANT));
        assertThat(r.steps().get(2).probability()).isEqualTo(1.0);
        assertThat(r.steps().get(2).settings()).isEqualTo(new ColorJitter(new Range(0.5, 1.5),
                ColorJitter.defaults().contrastFactor(), ColorJitter.defaults().saturationFactor()));
    }

    @Test
    void rejectsRecipeWithUnknownStepAndNamesTheLine() {
        assertThatThrownBy(() -> parse("""
                version: 1
                # a comment
                steps:
                  - step: scale-short-side
                    short-side-px: [256, 480]
                  - step: random-crop
                  - step: hflp
                    probability: 0.5
                """))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("augment/my.yaml line 7: unknown step \"hflp\". Known steps: hflip, vflip, "
                        + "random-crop, scale-short-side")
                .hasMessageContaining("(did you mean \"hflip\"?)")
                .hasMessageEndingWith("Fix the name; augment/README.md lists every step.");
    }

    @Test
    void rejectsProbabilityOutsideZeroToOneAndNamesTheLine() {
        assertThatThrownBy(() -> parse("""
                version: 1
                steps:
                  - step: hflip
                    probability: 1.7
                """))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("augment/my.yaml line 4: probability of step \"hflip\" is outside [0, 1]. "
                        + "Expected a number from 0 to 1; received 1.7.");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - step: hflip\n    probability: -0.1\n"))
                .hasMessageContaining("line 4").hasMessageContaining("received -0.1");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - step: hflip\n    probability: half\n"))
                .hasMessageContaining("line 4: probability of step \"hflip\" is not a number");
    }

    @Test
    void rejectsAnEmptyRangeAndNamesTheLine() {
        assertThatThrownBy(() -> parse("""
                version: 1
                steps:
                  - step: rotate
                    border: reflect
                    degrees: [15, -15]
                """))
                .isInstanceOf(UsageException.class)
                .hasMessage("augment/my.yaml line 5: \"degrees\" of step \"rotate\" is an empty range. Expected "
                        + "[min, max] with min <= max; received [15, -15]. Swap the two numbers.");
    }

    @Test
    void rejectsValuesOutsideAStepsBoundsOnTheLineOfTheKey() {
        assertThatThrownBy(() -> parse("""
                version: 1
                steps:
                  - step: rotate
                    border: reflect
                    degrees: [-200, 10]
                """))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("augment/my.yaml line 5: step \"rotate\", degrees: [-200, 10] goes outside "
                        + "the allowed values. Expected values from -180 to 180 degrees; received [-200, 10].");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - step: scale-short-side\n"
                + "    short-side-px: [0, 10]\n"))
                .hasMessageContaining("line 4: step \"scale-short-side\", short-side-px");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - step: scale-short-side\n"
                + "    short-side-px: [256.5, 300]\n"))
                .hasMessageContaining("line 4: \"short-side-px\" of step \"scale-short-side\" is not a range of "
                        + "whole numbers");
    }

    @Test
    void rejectsUnknownKeysOfAStepAndNamesTheLine() {
        assertThatThrownBy(() -> parse("""
                version: 1
                steps:
                  - step: rotate
                    degree: [-10, 10]
                """))
                .isInstanceOf(UsageException.class)
                .hasMessage("augment/my.yaml line 4: unknown key \"degree\" for step \"rotate\". Known keys: step, "
                        + "probability, degrees, border (did you mean \"degrees\"?). Fix the key; augment/README.md "
                        + "lists every step's keys.");
    }

    @Test
    void rejectsAMissingOrUnknownVersion() {
        assertThatThrownBy(() -> parse("steps:\n  - step: hflip\n"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("augment/my.yaml line 1: missing \"version\". Expected \"version: 1\"");
        assertThatThrownBy(() -> parse("# only a comment\n"))
                .hasMessageStartingWith("augment/my.yaml line 1: missing \"version\"");
        assertThatThrownBy(() -> parse("# recipe\nversion: 2\nsteps: []\n"))
                .hasMessageStartingWith("augment/my.yaml line 2: unsupported recipe version. Expected version: 1; "
                        + "received 2.");
    }

    @Test
    void theVersionIsCheckedBeforeTheSteps() {
        assertThatThrownBy(() -> parse("steps:\n  - step: hflp\nversion: 3\n"))
                .hasMessageContaining("line 3: unsupported recipe version");
    }

    @Test
    void rejectsMalformedRecipesWithTheLine() {
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - hflip\n"))
                .hasMessage("augment/my.yaml line 3: an item of steps is not a step. Expected a step with its keys "
                        + "(step: <name>, probability, ...); received \"hflip\". Write it as \"- step: hflip\".");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - probability: 0.5\n"))
                .hasMessageStartingWith("augment/my.yaml line 3: a step without a name.");
        assertThatThrownBy(() -> parse("version: 1\nstep: hflip\nsteps: []\n"))
                .hasMessageStartingWith("augment/my.yaml line 2: unknown key \"step\" at the top of the recipe. "
                        + "Known keys: version, fit, steps");
        assertThatThrownBy(() -> parse("version: 1\nhflip: 0.5\nsteps: []\n"))
                .hasMessageContaining("steps go in the steps list, as \"- step: hflip\"");
        assertThatThrownBy(() -> parse("version: 1\nfit: crop\nsteps: []\n"))
                .hasMessageStartingWith("augment/my.yaml line 2: unknown fit \"crop\". Expected one of center-crop, "
                        + "stretch");
        assertThatThrownBy(() -> parse("version: 1\nsteps: hflip\n"))
                .hasMessageStartingWith("augment/my.yaml line 2: \"steps\" is not a list.");
        assertThatThrownBy(() -> parse("version: 1\n"))
                .hasMessageStartingWith("augment/my.yaml: missing \"steps\".");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - step: rotate\n    degrees: [1, 2]\n"
                + "    degrees: [3, 4]\n"))
                .hasMessageStartingWith("augment/my.yaml line 5: \"degrees\" is given twice in one step.");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - step: rotate\n    degrees: 15\n"))
                .hasMessage("augment/my.yaml line 4: \"degrees\" of step \"rotate\" is not a range. Expected "
                        + "[min, max], two numbers; received 15. Write it like degrees: [-15, 15].");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - step: rotate\n    border: mirror\n"))
                .hasMessageStartingWith("augment/my.yaml line 4: \"border\" of step \"rotate\" is not a border "
                        + "mode. Expected one of constant, replicate, reflect; received \"mirror\".");
        assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - step: hflip\n   probability: [0.5\n"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("augment/my.yaml line ").hasMessageContaining(": not valid YAML (");
    }

    @Test
    void emptyStepListsAreAllowed() {
        assertThat(parse("version: 1\nsteps: []\n").steps()).isEmpty();
        assertThat(parse("version: 1\nsteps:\n").steps()).isEmpty();
    }

    @Test
    void loadsAFileAndNamesItInMessages() throws IOException {
        Path file = tmp.resolve("mine.yaml");
        Files.writeString(file, "version: 1\nsteps:\n  - step: vflip\n    probability: 2\n");
        assertThatThrownBy(() -> RecipeLoader.load(file.toString()))
                .hasMessageStartingWith(file.toString().replace('\\', '/') + " line 4: probability");
        Files.writeString(file, "version: 1\nsteps:\n  - step: vflip\n");
        assertThat(RecipeLoader.load(file.toString()).source()).isEqualTo(file.toString());
    }

    @Test
    void anUnknownNameListsTheShippedRecipes() {
        assertThatThrownBy(() -> RecipeLoader.load("resnet"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--augment resnet: no such recipe. Expected a shipped recipe name (none, flip-crop, "
                        + "resnet-scale, creative) or the path of a YAML file; received \"resnet\", which is neither. "
                        + "Check the spelling or the path (augment/README.md describes recipes).");
        assertThatThrownBy(() -> RecipeLoader.load(tmp.toString())).hasMessageContaining("is a folder");
    }

    @Test
    void probabilitiesAreValidatedInCodeToo() {
        assertThatThrownBy(() -> new RecipeStep("hflip", 1.5, Flip.horizontal(), 0))
                .isInstanceOf(UsageException.class).hasMessageContaining("outside [0, 1]");
        assertThatThrownBy(() -> new RecipeStep("hflip", Double.NaN, Flip.horizontal(), 0))
                .isInstanceOf(UsageException.class);
    }
}
