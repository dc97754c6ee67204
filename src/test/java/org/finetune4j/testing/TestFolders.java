package org.finetune4j.testing;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Folders of labelled images made in code. */
public final class TestFolders {
    private TestFolders() {
    }

    /**
     * Makes {@code root/<class>/<class>_NN.png} with the given number of distinct small PNGs per class.
     *
     * @return root
     */
    public static Path imageFolder(Path root, Map<String, Integer> perClass) {
        int seed = 0;
        for (Map.Entry<String, Integer> e : new TreeMap<>(perClass).entrySet()) {
            for (int i = 0; i < e.getValue(); i++) {
                TestImages.write(root.resolve(e.getKey()).resolve(String.format("%s_%02d.png", e.getKey(), i)),
                        TestImages.pattern(12 + i % 5, 10 + i % 3, seed++), "png");
            }
        }
        return root;
    }
}
