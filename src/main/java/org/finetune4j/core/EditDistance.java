package org.finetune4j.core;

import java.util.Collection;
import java.util.Optional;

/**
 * The Levenshtein distance between two words, and the known word closest to a mistyped one, for error messages that
 * ask "did you mean …?".
 * <pre>{@code
 * EditDistance.between("hflp", "hflip");                                     // 1
 * EditDistance.closest("hflp", List.of("hflip", "vflip", "rotate"), 1);     // Optional[hflip]
 * }</pre>
 */
public final class EditDistance {
    private EditDistance() {
    }

    /** @return the number of single-character insertions, deletions and substitutions that turn a into b */
    public static int between(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] tmp = prev;
            prev = cur;
            cur = tmp;
        }
        return prev[b.length()];
    }

    /**
     * @param word        what the user wrote
     * @param known       the valid words, in the order ties are broken (the first closest wins)
     * @param maxDistance the largest distance still worth suggesting
     * @return the known word closest to {@code word}, if it is at most {@code maxDistance} away
     */
    public static Optional<String> closest(String word, Collection<String> known, int maxDistance) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = between(word, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= maxDistance ? Optional.of(best) : Optional.empty();
    }
}
