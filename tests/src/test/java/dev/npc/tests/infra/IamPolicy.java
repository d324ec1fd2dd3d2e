package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An IAM identity policy made only of Allow statements, as the modules compute them (a list of
 * {sid, actions, resources, conditions[{test, variable, values}]}), and the part of IAM's
 * evaluation such a policy needs: exact actions, resource patterns with '*' and '?', and the
 * condition operators the modules use (StringEquals, StringLike, Null). Any other operator, a
 * wildcard action or a Not* element is refused, so the modules cannot drift into something this
 * check would evaluate wrongly.
 */
record IamPolicy(String name, List<Statement> statements) {

    record Condition(String test, String variable, List<String> values) {
        boolean holds(Map<String, String> context) {
            String actual = context.get(variable);
            return switch (test) {
                case "StringEquals" -> actual != null && values.contains(actual);
                case "StringLike" -> actual != null && values.stream().anyMatch(v -> glob(v).matcher(actual).matches());
                case "Null" -> values.equals(List.of(actual == null ? "true" : "false"));
                default -> throw new AssertionError("condition operator " + test + " is not one this check evaluates");
            };
        }
    }

    record Statement(String sid, List<String> actions, List<String> resources, List<Condition> conditions) {
        boolean allows(String action, String resource, Map<String, String> context) {
            return actions.contains(action)
                    && resources.stream().anyMatch(r -> glob(r).matcher(resource).matches())
                    && conditions.stream().allMatch(c -> c.holds(context));
        }
    }

    /** One request as IAM sees it: an action on a resource, with the request's condition keys. */
    record Request(String action, String resource, Map<String, String> context) {
        @Override
        public String toString() {
            return action + " on " + resource + (context.isEmpty() ? "" : " " + context);
        }
    }

    static IamPolicy parse(String name, JsonNode statements) {
        List<Statement> parsed = new ArrayList<>();
        for (JsonNode s : statements) {
            for (String field : List.of("not_actions", "not_resources", "NotAction", "NotResource", "principals")) {
                if (s.has(field)) {
                    throw new AssertionError(name + ": statement " + s.path("sid").asText() + " has " + field);
                }
            }
            if (s.has("effect") && !"Allow".equals(s.path("effect").asText())) {
                throw new AssertionError(name + ": statement " + s.path("sid").asText() + " is not an Allow");
            }
            List<String> actions = texts(s.path("actions"));
            for (String action : actions) {
                if (action.contains("*") || action.contains("?")) {
                    throw new AssertionError(name + ": statement " + s.path("sid").asText() + " has the wildcard action " + action);
                }
            }
            List<Condition> conditions = new ArrayList<>();
            for (JsonNode c : s.path("conditions")) {
                conditions.add(new Condition(c.path("test").asText(), c.path("variable").asText(), texts(c.path("values"))));
            }
            parsed.add(new Statement(s.path("sid").asText(), actions, texts(s.path("resources")), List.copyOf(conditions)));
        }
        return new IamPolicy(name, List.copyOf(parsed));
    }

    boolean allows(Request request) {
        return statements.stream().anyMatch(s -> s.allows(request.action(), request.resource(), request.context()));
    }

    /** IAM resource and StringLike matching: '*' any run of characters (including '/'), '?' any one. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return List.copyOf(values);
    }
}
