package org.finetune4j.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.finetune4j.api.Classification;
import org.finetune4j.api.ImageClassifier;
import org.finetune4j.testing.Slow;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page at {@code /} in a real browser: headless Chromium driven by Selenium through chromium-driver (Debian's
 * {@code chromium} and {@code chromium-driver} packages, which CI installs). Uploads an image and reads the bars the
 * page draws; they must show what the library API gives for the same image. Leaves a screenshot in
 * {@code target/serve-page.png}. Slow (about 25 s: the browser's start and the bundle's load); skipped with a message
 * when chromedriver is not installed.
 */
@Slow
class ServePageBrowserTest {

    @TempDir
    Path tmp;

    private static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/bin", "/usr/lib/chromium"))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    @Test
    void uploadingAnImageShowsItsTopLabelsAsBarsBesideTheModelsLabelsAndMetrics() throws Exception {
        Optional<Path> driverBinary = onPath("chromedriver");
        assumeTrue(driverBinary.isPresent(), "needs chromedriver (Debian: apt-get install chromium chromium-driver)");
        Optional<Path> chromium = onPath("chromium");

        BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(30, 40, 60));
        g.fillRect(0, 0, 96, 96);
        g.setColor(new Color(230, 200, 80));
        g.fillOval(18, 18, 60, 60);
        g.dispose();
        Path image = TestImages.write(tmp.resolve("disc.png"), img, "png");

        Path bundle = Path.of("models/mini-vgg-shapes");
        Classification expected;
        try (ImageClassifier reference = ImageClassifier.load(bundle)) {
            expected = reference.classify(image);
        }
        try (PredictionService service = PredictionService.start(bundle.toString(),
                ServeConfig.defaults().withAddress("127.0.0.1", 0))) {
            ChromeOptions options = new ChromeOptions();
            chromium.ifPresent(p -> options.setBinary(p.toFile()));
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + tmp.resolve("profile"),
                    "--window-size=1280,900");
            ChromeDriverService driverService = new ChromeDriverService.Builder()
                    .usingDriverExecutable(driverBinary.get().toFile()).usingAnyFreePort().build();
            ChromeDriver browser = new ChromeDriver(driverService, options);
            try {
                browser.get(service.url());
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("model-name"),
                        "mini-vgg-shapes"));
                // the model's labels and test metrics beside the drop zone
                assertThat(browser.findElements(By.cssSelector("#labels li"))).hasSize(20);
                assertThat(browser.findElement(By.id("metrics")).getText()).contains("test-accuracy");

                WebElement input = browser.findElement(By.id("files"));
                ((JavascriptExecutor) browser).executeScript("arguments[0].hidden = false;", input);
                input.sendKeys(image.toAbsolutePath().toString());
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".result.done .bar")));

                List<WebElement> bars = browser.findElements(By.cssSelector(".result.done .bar"));
                assertThat(bars).hasSize(expected.top().size());
                for (int i = 0; i < bars.size(); i++) {
                    WebElement bar = bars.get(i);
                    assertThat(bar.getAttribute("data-label")).isEqualTo(expected.top().get(i).label());
                    String shown = bar.findElement(By.className("probability")).getText();
                    assertThat(shown).endsWith("%");
                    assertThat(Double.parseDouble(shown.substring(0, shown.length() - 1)))
                            .isCloseTo(100 * expected.top().get(i).probability(), within(0.051));
                }
                assertThat(browser.findElement(By.cssSelector(".result.done .name")).getText()).isEqualTo("disc.png");
                Path shot = Path.of("target/serve-page.png");
                Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
            } finally {
                browser.quit();
            }
        }
    }
}
