package org.finetune4j.augment;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.Seeds;
import org.finetune4j.testing.TestMats;

/**
 * Benchmark, not a test: images per second of each shipped recipe, one thread, on decoded images (decoding not
 * counted), 64x64 outputs. Reports images per second of the thread's CPU time (OpenCV is held to the calling thread,
 * so this does not depend on other load on the machine) and, in brackets, of wall-clock time. Run after
 * {@code mvn test-compile} with the test classpath:
 * <pre>
 * mvn -q dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -cp target/test-classes:target/classes:$(cat cp.txt) org.finetune4j.augment.AugmentThroughput
 * </pre>
 */
public final class AugmentThroughput {
    private AugmentThroughput() {
    }

    /** @param args optional: the output side (default 64) */
    public static void main(String[] args) {
        int side = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        opencv_core.setNumThreads(1);          // one thread: OpenCV would otherwise parallelise large resizes
        SplittableRandom rng = new SplittableRandom(1);
        List<Mat> small = new ArrayList<>();
        List<Mat> large = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            small.add(TestMats.scene(64 + rng.nextInt(33), 64 + rng.nextInt(33), i));
            large.add(TestMats.scene(450 + rng.nextInt(101), 340 + rng.nextInt(71), 1000 + i));
        }
        System.out.printf(Locale.ROOT, "images per CPU second (per wall-clock second), one thread, %dx%d outputs, "
                + "median of 9 passes over 300 images after one warm-up pass%n", side, side);
        System.out.printf(Locale.ROOT, "%-14s %20s %20s%n", "recipe", "~80x80", "~500x375");
        for (String name : RecipeLoader.SHIPPED) {
            Augmenter a = Augmenter.of(RecipeLoader.load(name), ImageSize.square(side), Seeds.of(12345));
            double[] s = rate(a, small);
            double[] l = rate(a, large);
            System.out.printf(Locale.ROOT, "%-14s %10.0f (%6.0f) %10.0f (%6.0f)%n", name, s[0], s[1], l[0], l[1]);
        }
    }

    /** @return {median images per CPU second, median images per wall-clock second} */
    private static double[] rate(Augmenter a, List<Mat> images) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        run(a, images, 99);
        double[] cpu = new double[9];
        double[] wall = new double[9];
        for (int pass = 0; pass < cpu.length; pass++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            run(a, images, pass);
            wall[pass] = images.size() / ((System.nanoTime() - t0) / 1e9);
            cpu[pass] = images.size() / ((threads.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        return new double[] {cpu[cpu.length / 2], wall[wall.length / 2]};
    }

    private static void run(Augmenter a, List<Mat> images, long epoch) {
        for (int i = 0; i < images.size(); i++) {
            a.augment(images.get(i), epoch, i).close();
        }
    }
}
