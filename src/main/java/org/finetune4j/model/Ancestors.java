package org.finetune4j.model;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/** The vertices a layer of a computation graph reads from, directly or through others. */
public final class Ancestors {

    private Ancestors() {
    }

    /**
     * @param layer a vertex name of {@code conf}
     * @return {@code layer} and every vertex it depends on, down to the inputs
     */
    public static Set<String> andSelf(ComputationGraphConfiguration conf, String layer) {
        Set<String> out = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(layer));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (out.add(v)) {
                todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        return out;
    }
}
