package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.finetune4j.api.BundleLoadException;
import org.finetune4j.core.UsageException;
import org.finetune4j.serve.PredictionService;
import org.finetune4j.serve.ServeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune4j serve}: a trained bundle over HTTP, with a page to try it. */
@Command(name = "serve",
        description = {"Serves a trained bundle over HTTP: POST /v1/predict (an image's bytes, or a multipart form "
                + "with images) answers the top-k labels as JSON; GET /v1/model, /healthz, /metrics (Prometheus); a "
                + "page at / to try it. Binds to 127.0.0.1 unless --host says otherwise. Ctrl-C or SIGTERM lets "
                + "requests in flight finish, then exits. docs/serving.md has the details."})
final class ServeCommand extends ToolCommand {

    private static final ServeConfig DEFAULTS = ServeConfig.defaults();

    @Option(names = "--model", paramLabel = "M", required = true,
            description = "A bundle: its name under models/ or its folder.")
    String model;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on; 0.0.0.0 for every "
            + "interface (then use --api-key-file). Default: ${DEFAULT-VALUE}.")
    String host = DEFAULTS.host();

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port; 0 for any free one. Default: "
            + "${DEFAULT-VALUE}.")
    int port = DEFAULTS.port();

    @Option(names = "--api-key-file", paramLabel = "FILE", description = "Require the key in FILE (at least 16 "
            + "characters) on /v1/* and /metrics, as `Authorization: Bearer KEY` or `X-API-Key: KEY`.")
    Path apiKeyFile;

    @Option(names = "--top-k", paramLabel = "K", description = "Labels per image unless a request asks for "
            + "?top-k=K. Default: ${DEFAULT-VALUE}.")
    int topK = DEFAULTS.topK();

    @Option(names = "--max-request-mb", paramLabel = "MB", description = "Largest request body. Default: "
            + "${DEFAULT-VALUE}.")
    int maxRequestMb = (int) (DEFAULTS.limits().maxRequestBytes() >> 20);

    @Option(names = "--max-images-per-request", paramLabel = "N", description = "Most images in one request. "
            + "Default: ${DEFAULT-VALUE}.")
    int maxImagesPerRequest = DEFAULTS.limits().maxImagesPerRequest();

    @Option(names = "--queue", paramLabel = "N", description = "Images that may wait for the network; beyond it "
            + "requests get 503 with Retry-After. Default: ${DEFAULT-VALUE}.")
    int queue = DEFAULTS.limits().queueImages();

    @Option(names = "--batch-window-ms", paramLabel = "MS", description = "How long an image waits for others to "
            + "share its forward pass. Default: ${DEFAULT-VALUE}.")
    int batchWindowMs = DEFAULTS.batching().windowMillis();

    @Option(names = "--max-batch", paramLabel = "N", description = "Most images in one forward pass. Default: "
            + "${DEFAULT-VALUE}.")
    int maxBatch = DEFAULTS.batching().maxImages();

    @Option(names = "--copies", paramLabel = "N", description = "Copies of the network run side by side (memory: "
            + "one network each). Default: ${DEFAULT-VALUE}.")
    int copies = DEFAULTS.batching().copies();

    @Option(names = "--drain-seconds", paramLabel = "S", description = "On shutdown, how long requests in flight "
            + "may take to finish. Default: ${DEFAULT-VALUE}.")
    int drainSeconds = DEFAULTS.drainSeconds();

    @Override
    public Integer call() throws InterruptedException {
        if (maxRequestMb < 1) {
            throw new UsageException("--max-request-mb " + maxRequestMb + ": too small. Expected at least 1.");
        }
        ServeConfig config = new ServeConfig(host, port, apiKeyFile, new ServeConfig.Limits((long) maxRequestMb << 20,
                maxImagesPerRequest, queue), new ServeConfig.Batching(batchWindowMs, maxBatch, copies), topK,
                drainSeconds);
        PredictionService service;
        try {
            service = PredictionService.start(model, config);
        } catch (BundleLoadException e) {
            throw new UsageException(e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::stop, "finetune4j-serve-drain"));
        PrintWriter err = err();
        err.println("finetune4j: serving " + service.classifier().model().name() + " on " + service.url()
                + " (POST v1/predict; a page to try it at /). Ctrl-C or SIGTERM stops after the requests in flight.");
        err.flush();
        service.awaitStop();
        return Finetune4j.EXIT_OK;
    }
}
