package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.store.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * terraform/examples/status-page as `terraform console` renders it: CloudFront reads exactly the
 * object npc status --publish writes (Layout.STATUS_PAGE under the prefix), from the bucket's
 * regional endpoint, and the example refuses a web ACL CloudFront cannot use.
 */
class StatusPageExampleTest {
    private static final String WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/office-only/0f1e2d3c";

    @TempDir
    Path tmp;

    private static Map<String, Object> variables(String prefix, String webAcl) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("bucket_name", "npc-test");
        vars.put("prefix", prefix);
        vars.put("region", "eu-west-1");
        vars.put("web_acl_arn", webAcl);
        return vars;
    }

    @Test
    void cloudFrontReadsExactlyThePageNpcPublishes() {
        for (String prefix : new String[]{"fleet", "", "teams/infra"}) {
            TerraformConsole console = TerraformConsole.of("terraform/examples/status-page", tmp.resolve("c" + prefix.length()));
            JsonNode page = console.json(variables(prefix, WEB_ACL),
                    "{ arn = local.page_arn, origin = local.origin_path, domain = local.bucket_domain }");
            String key = (prefix.isEmpty() ? "" : prefix + "/") + Layout.STATUS_PAGE;
            assertEquals("arn:aws:s3:::npc-test/" + key, page.get("arn").asText(), "the bucket policy's one object");
            assertEquals("/" + key, page.get("origin").asText() + "/index.html", "the origin path and root object");
            assertEquals("npc-test.s3.eu-west-1.amazonaws.com", page.get("domain").asText());
        }
    }

    @Test
    void aWebAclCloudFrontCannotUseIsRefusedWithTheReason() {
        TerraformConsole console = TerraformConsole.of("terraform/examples/status-page", tmp.resolve("regional"));
        String failure = console.failure(variables("fleet",
                "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/office-only/0f1e2d3c"), "local.page_arn");
        assertTrue(failure.contains("web_acl_arn must be the ARN of a WAFv2 web ACL with scope CLOUDFRONT"), failure);
    }
}
