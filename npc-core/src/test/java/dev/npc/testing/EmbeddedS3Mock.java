package dev.npc.testing;

import com.adobe.testing.s3mock.S3MockApplication;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adobe's S3Mock, in this JVM, as a second S3 implementation independent of S3Proxy (another
 * code base, another HTTP stack: Spring on Tomcat), strict on conditional requests and checking
 * Content-MD5 and x-amz-checksum-* like S3. Started once per JVM and shared (Spring takes
 * seconds to start); every test uses its own prefix. Both of its ports (the main one, here plain
 * HTTP, and the extra plain-HTTP one npc talks to) are bound to 127.0.0.1 only: S3Mock binds its
 * extra port to every interface unless told otherwise, so a customizer sets the address on that
 * connector.
 */
public final class EmbeddedS3Mock {
    public static final String BUCKET = "npc-mock";
    private static EmbeddedS3Mock shared;

    private final ConfigurableApplicationContext context;
    private final URI endpoint;

    private EmbeddedS3Mock(ConfigurableApplicationContext context, int httpPort) {
        this.context = context;
        this.endpoint = URI.create("http://127.0.0.1:" + httpPort);
    }

    /** The JVM's S3Mock, started on first use; Spring's shutdown hook stops it with the JVM. */
    public static synchronized EmbeddedS3Mock shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    private static EmbeddedS3Mock start() {
        // npc logs through slf4j-nop: Spring must not try to configure a logging system of its own.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        Path root;
        try {
            root = Files.createTempDirectory("npc-s3mock-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", 0);
        properties.put("server.address", "127.0.0.1");
        // Plain HTTP on the main port too: no TLS to set up, and npc uses the HTTP port anyway.
        properties.put("server.ssl.enabled", false);
        properties.put("com.adobe.testing.s3mock.httpPort", 0);
        properties.put("com.adobe.testing.s3mock.store.initialBuckets", BUCKET);
        properties.put("com.adobe.testing.s3mock.store.root", root.toString());
        properties.put("spring.main.register-shutdown-hook", true);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(S3MockApplication.class, LoopbackOnly.class)
                .properties(properties)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .run();
        int httpPort = context.getBean(S3MockApplication.class).getHttpPort();
        return new EmbeddedS3Mock(context, httpPort);
    }

    /** Binds S3Mock's extra plain-HTTP connector to loopback, like the main one (server.address). */
    @Configuration(proxyBeanMethods = false)
    static class LoopbackOnly {
        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> loopbackOnly() {
            return factory -> factory.getAdditionalTomcatConnectors()
                    .forEach(connector -> connector.setProperty("address", "127.0.0.1"));
        }
    }

    /** The addresses every connector of the server is bound to, for the test that they are all loopback. */
    public List<InetAddress> boundAddresses() {
        TomcatWebServer server = (TomcatWebServer) ((ServletWebServerApplicationContext) context).getWebServer();
        List<InetAddress> addresses = new ArrayList<>();
        for (Connector connector : server.getTomcat().getService().findConnectors()) {
            Object address = connector.getProperty("address");
            addresses.add(address instanceof InetAddress inet ? inet : null);
        }
        return addresses;
    }

    public URI endpoint() {
        return endpoint;
    }

    public String endpointUrl() {
        return endpoint.toString();
    }

    public String storeUrl(String prefix) {
        return "s3://" + BUCKET + "/" + prefix;
    }

    /** S3Mock accepts any credentials; the SDK still signs with these. */
    public StoreOptions options() {
        return new StoreOptions(endpointUrl(), EmbeddedS3.REGION,
                EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY));
    }

    public Store open(String prefix) {
        return Stores.open(storeUrl(prefix), options());
    }
}
