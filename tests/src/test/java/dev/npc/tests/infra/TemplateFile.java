package dev.npc.tests.infra;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Terraform's templatefile() for the syntax the bootstrap's templates use: ${name}, ${name~}
 * (which also drops the whitespace after it) and the escape $${. Anything else that Terraform
 * would read as template syntax (a directive %{, an expression) fails the test.
 */
final class TemplateFile {
    private static final Pattern SYNTAX = Pattern.compile("\\$\\$\\{|%%\\{|\\$\\{(\\w+)(~?)}|\\$\\{|%\\{");

    private TemplateFile() { }

    static String render(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        Matcher m = SYNTAX.matcher(template);
        int at = 0;
        while (m.find()) {
            out.append(template, at, m.start());
            at = m.end();
            String token = m.group();
            if (token.equals("$${")) {
                out.append("${");
            } else if (token.equals("%%{")) {
                out.append("%{");
            } else if (m.group(1) != null) {
                String value = values.get(m.group(1));
                if (value == null) {
                    throw new AssertionError("the template uses ${" + m.group(1) + "}, which the test does not give");
                }
                out.append(value);
                if (!m.group(2).isEmpty()) {
                    while (at < template.length() && Character.isWhitespace(template.charAt(at))) {
                        at++;
                    }
                }
            } else {
                throw new AssertionError("template syntax the test cannot render at " + m.start() + ": "
                        + template.substring(m.start(), Math.min(template.length(), m.start() + 40)));
            }
        }
        out.append(template.substring(at));
        return out.toString();
    }
}
