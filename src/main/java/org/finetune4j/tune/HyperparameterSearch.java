package org.finetune4j.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;

/**
 * Coarse-to-fine random search (Bergstra and Bengio, "Random Search for Hyper-Parameter Optimization", 2012): a
 * coarse stage samples the whole {@link SearchSpace}; the best coarse trials span a narrower space that the fine
 * stage samples. Each trial is scored by an {@link Objective}.
 *
 * <p>Seeded: trial {@code i} draws its point from {@code seeds.stream("search-trial", i)}, so the same seed gives
 * the same trials. Resumable: after every trial, {@code trials.jsonl} in the search folder is rewritten atomically;
 * a rerun with the same options reads the finished trials back instead of running them again. The options are
 * stored in {@code search.json}; a rerun with other options is refused.
 * <pre>{@code
 * HyperparameterSearch.Result r = new HyperparameterSearch(space, settings, Seeds.of(42), dir)
 *         .run(options, objective, listener);
 * }</pre>
 */
public final class HyperparameterSearch {

    /**
     * @param coarseTrials      trials of the coarse stage, at least 1 ({@code --coarse-trials})
     * @param maxTrials         trials in all, coarse and fine ({@code --max-trials})
     * @param timeBudgetSeconds no new trial starts after this much time in this invocation; 0 for no limit
     * @param topK              coarse trials whose region the fine stage searches, at least 1
     * @param widen             factor the fine ranges are widened by on each side (log scale), at least 1
     */
    public record Settings(int coarseTrials, int maxTrials, double timeBudgetSeconds, int topK, double widen) {
        public Settings {
            if (coarseTrials < 1 || maxTrials < 1) {
                throw new UsageException("--coarse-trials " + coarseTrials + " --max-trials " + maxTrials
                        + ": expected at least 1 each.");
            }
            if (timeBudgetSeconds < 0) {
                throw new UsageException("--time-budget: expected a positive duration such as 10m.");
            }
            if (topK < 1 || widen < 1) {
                throw new UsageException("top-k " + topK + " / widen " + widen + ": expected at least 1 each.");
            }
        }
    }

    /** Observes the search (progress display). */
    public interface Listener {
        /** A trial finished ({@code resumed}: read back from an earlier run, not run again). */
        void onTrial(Trial trial, boolean resumed, int done, int planned, double elapsedSeconds);

        /** The fine stage starts, in the given space. */
        default void onFineStage(SearchSpace space) {
        }
    }

    /**
     * @param trials      every finished trial, best first
     * @param fineSpace   the fine stage's space, or null if the fine stage did not start
     * @param complete    whether all planned trials have finished (false: stopped by the time budget)
     * @param ranNow      trials run by this invocation (the others were read back)
     */
    public record Result(List<Trial> trials, SearchSpace fineSpace, boolean complete, int ranNow) {
        /** @return the best trial, or null if none succeeded */
        public Trial best() {
            return trials.isEmpty() || Double.isNaN(trials.get(0).score().score()) ? null : trials.get(0);
        }
    }

    private final SearchSpace space;
    private final Settings settings;
    private final Seeds seeds;
    private final Path dir;

    /**
     * @param dir the search folder: {@code search.json}, {@code trials.jsonl}
     */
    public HyperparameterSearch(SearchSpace space, Settings settings, Seeds seeds, Path dir) {
        this.space = space;
        this.settings = settings;
        this.seeds = seeds;
        this.dir = dir;
    }

    /** @return the trial file */
    public Path trialsFile() {
        return dir.resolve("trials.jsonl");
    }

    /**
     * Runs (or resumes) the search.
     *
     * @param options everything that determines the trials besides the budgets (space, base configuration, seed,
     *                trial epochs); compared with the stored {@code search.json} on resume
     * @throws UsageException if the folder holds a search with other options
     */
    public Result run(JsonNode options, Objective objective, Listener listener) {
        long started = System.nanoTime();
        checkOptions(options);
        Map<Integer, Trial> done = new TreeMap<>();
        for (Trial t : readTrials()) {
            done.put(t.index(), t);
        }
        int planned = settings.maxTrials();
        int ranNow = 0;
        SearchSpace fine = null;
        boolean complete = true;
        for (int i = 0; i < planned; i++) {
            boolean coarse = i < settings.coarseTrials();
            if (!coarse && fine == null) {
                List<TrialParams> best = done.values().stream().filter(t -> t.index() < settings.coarseTrials())
                        .filter(t -> !Double.isNaN(t.score().score())).sorted(SearchSpace.BEST_FIRST)
                        .limit(settings.topK()).map(Trial::params).toList();
                fine = best.isEmpty() ? space : space.narrowTo(best, settings.widen());
                listener.onFineStage(fine);
            }
            Trial t = done.get(i);
            double elapsed = (System.nanoTime() - started) / 1e9;
            if (t != null) {
                listener.onTrial(t, true, done.size(), planned, elapsed);
                continue;
            }
            if (settings.timeBudgetSeconds() > 0 && elapsed >= settings.timeBudgetSeconds()) {
                complete = false;
                break;
            }
            TrialParams p = (coarse ? space : fine).sample(seeds.stream("search-trial", i));
            TrialScore s = objective.score(p, i);
            t = new Trial(i, coarse ? "coarse" : "fine", p, s);
            done.put(i, t);
            ranNow++;
            writeTrials(done.values());
            listener.onTrial(t, false, done.size(), planned, (System.nanoTime() - started) / 1e9);
        }
        List<Trial> sorted = new ArrayList<>(done.values());
        sorted.sort(SearchSpace.BEST_FIRST);
        return new Result(List.copyOf(sorted), fine, complete && done.size() >= planned, ranNow);
    }

    private void checkOptions(JsonNode options) {
        Path file = dir.resolve("search.json");
        JsonNode normalised = roundTrip(options);
        if (Files.isRegularFile(file)) {
            JsonNode saved;
            try {
                saved = Json.mapper().readTree(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot be read (" + e.getMessage() + ").", e);
            }
            if (!saved.equals(normalised)) {
                List<String> diff = new ArrayList<>();
                normalised.fieldNames().forEachRemaining(k -> {
                    if (!normalised.get(k).equals(saved.get(k))) {
                        diff.add(k);
                    }
                });
                throw new UsageException(dir + ": holds a search with other options (differing: " + diff + "). "
                        + "Expected the same options to resume it; rerun with them, pick another --name, or delete "
                        + "the folder to start over.");
            }
        } else {
            AtomicFiles.writeString(file, Json.write(normalised));
        }
    }

    private static JsonNode roundTrip(JsonNode n) {
        try {
            return Json.mapper().readTree(Json.mapper().writeValueAsString(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("search options cannot be written as JSON", e);
        }
    }

    /** @return the finished trials stored in the folder, in index order (none when there is no file) */
    public List<Trial> readTrials() {
        Path file = trialsFile();
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<Trial> out = new ArrayList<>();
        try {
            int line = 0;
            for (String s : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                try {
                    out.add(Json.mapper().readValue(s, Trial.class));
                } catch (JsonProcessingException e) {
                    throw new UsageException(file + " line " + line + ": not a trial (" + e.getOriginalMessage()
                            + "). Delete the file (or the search folder) to start the search over.");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read (" + e.getMessage() + ").", e);
        }
        return out;
    }

    private void writeTrials(java.util.Collection<Trial> trials) {
        StringBuilder sb = new StringBuilder();
        for (Trial t : trials) {
            try {
                sb.append(Json.mapper().writer()
                        .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(t)).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a trial cannot be written as JSON", e);
            }
        }
        AtomicFiles.writeString(trialsFile(), sb.toString());
    }
}
