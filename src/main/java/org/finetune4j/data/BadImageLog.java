package org.finetune4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Collects files that turned out bad during a run (from any thread), so that they are listed once, sorted, at the
 * end instead of as one log line each.
 */
public final class BadImageLog {
    private final Map<String, String> reasons = new ConcurrentSkipListMap<>();

    /** Records a bad file; a file recorded twice keeps its first reason. */
    public void add(BadImage bad) {
        reasons.putIfAbsent(bad.relativePath(), bad.reason());
    }

    /** Records every file of a list. */
    public void addAll(List<BadImage> bad) {
        bad.forEach(this::add);
    }

    /** @return the bad files so far, sorted by path */
    public List<BadImage> list() {
        List<BadImage> out = new ArrayList<>();
        reasons.forEach((p, r) -> out.add(new BadImage(p, r)));
        return out;
    }

    /** @return whether no file was recorded */
    public boolean isEmpty() {
        return reasons.isEmpty();
    }
}
