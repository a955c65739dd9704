package io.tiercache.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed key template: literal text, placeholders and (in {@code @Invalidate}) wildcards. Pure
 * syntax; {@link MethodValidator} resolves the placeholders against the method.
 *
 * @param text the template as written
 * @param parts its parts, in order
 */
record KeyTemplate(String text, List<Part> parts) {

  /** One part of a template. */
  sealed interface Part permits Literal, Wildcard, Placeholder {}

  /** Literal text, made only of characters that key segments never escape, and {@code :}. */
  record Literal(String text) implements Part {}

  /** {@code *}: any text. */
  record Wildcard() implements Part {}

  /**
   * {@code {param}}, {@code {param.a.b}}, {@code {param#hash}} or {@code {param[]}}.
   *
   * @param source the text between the braces
   * @param param the parameter name
   * @param bulk whether it is {@code param[]}
   * @param path the property names after the parameter
   * @param hash whether it ends in {@code #hash}
   */
  record Placeholder(String source, String param, boolean bulk, List<String> path, boolean hash)
      implements Part {}

  /** Thrown by {@link #parse} with a detail from {@link Messages}. */
  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxException(String detail) {
      super(detail, null, false, false);
    }
  }

  /** A Java identifier, as a parameter or property may be named ({@code größe} included). */
  private static final String IDENTIFIER =
      "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*";

  private static final Pattern PLACEHOLDER =
      Pattern.compile("(" + IDENTIFIER + ")(\\[\\])?((?:\\." + IDENTIFIER + ")*)(#hash)?");

  /**
   * Parses a template.
   *
   * @param text the template
   * @param allowWildcard whether {@code *} is a wildcard (in {@code @Invalidate}); otherwise a
   *     {@code *} gives {@link WildcardException}
   * @throws SyntaxException if the template is malformed
   * @throws WildcardException if it has a {@code *} and wildcards are not allowed
   */
  static KeyTemplate parse(String text, boolean allowWildcard)
      throws SyntaxException, WildcardException {
    if (text == null || text.isEmpty()) {
      throw new SyntaxException(Messages.EMPTY_KEY);
    }
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    boolean bulkSeen = false;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '{') {
        int end = text.indexOf('}', i + 1);
        int nested = text.indexOf('{', i + 1);
        if (end < 0 || (nested >= 0 && nested < end)) {
          throw new SyntaxException(Messages.UNCLOSED_PLACEHOLDER);
        }
        String source = text.substring(i + 1, end);
        Matcher m = PLACEHOLDER.matcher(source);
        if (!m.matches()) {
          throw new SyntaxException(String.format(Messages.BAD_PLACEHOLDER, source));
        }
        boolean bulk = m.group(2) != null;
        if (bulk && bulkSeen) {
          throw new SyntaxException(Messages.BULK_TWICE);
        }
        bulkSeen |= bulk;
        List<String> path =
            m.group(3).isEmpty() ? List.of() : List.of(m.group(3).substring(1).split("\\."));
        flush(literal, parts);
        parts.add(new Placeholder(source, m.group(1), bulk, path, m.group(4) != null));
        i = end + 1;
      } else if (c == '}') {
        throw new SyntaxException(Messages.UNOPENED_PLACEHOLDER);
      } else if (c == '*') {
        if (!allowWildcard) {
          throw new WildcardException();
        }
        flush(literal, parts);
        parts.add(new Wildcard());
        i++;
      } else if (isLiteral(c)) {
        literal.append(c);
        i++;
      } else {
        throw new SyntaxException(String.format(
            Messages.BAD_LITERAL,
            Character.isISOControl(c) || Character.isWhitespace(c)
                ? String.format("\\u%04x", (int) c)
                : String.valueOf(Character.toChars(text.codePointAt(i)))));
      }
    }
    flush(literal, parts);
    if (parts.get(0) instanceof Literal first && first.text().startsWith("__")) {
      throw new SyntaxException(Messages.RESERVED_PREFIX);
    }
    checkSeparated(parts);
    return new KeyTemplate(text, List.copyOf(parts));
  }

  /**
   * Two placeholders need a ':' between them: segments escape ':' and nothing else of the
   * literal alphabet, so only ':' marks where one value ends. A '*' between them is a pattern,
   * which may match more keys anyway.
   */
  private static void checkSeparated(List<Part> parts) throws SyntaxException {
    Placeholder previous = null;
    boolean separated = true;
    for (Part part : parts) {
      if (part instanceof Placeholder placeholder) {
        if (previous != null && !separated) {
          throw new SyntaxException(String.format(
              Messages.UNSEPARATED,
              previous.source(),
              placeholder.source(),
              previous.source(),
              placeholder.source()));
        }
        previous = placeholder;
        separated = false;
      } else if (part instanceof Wildcard
          || (part instanceof Literal literal && literal.text().indexOf(':') >= 0)) {
        separated = true;
      }
    }
  }

  /** Thrown by {@link #parse} for a {@code *} where wildcards are not allowed. */
  static final class WildcardException extends Exception {
    private static final long serialVersionUID = 1L;

    WildcardException() {
      super(null, null, false, false);
    }
  }

  /** Whether the template has a {@code *}. */
  boolean hasWildcard() {
    return parts.stream().anyMatch(p -> p instanceof Wildcard);
  }

  /** The characters literal text may hold: what {@code Keys.segment} never escapes, and ':'. */
  static boolean isLiteral(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-_.~@+=,/:".indexOf(c) >= 0;
  }

  private static void flush(StringBuilder literal, List<Part> parts) {
    if (literal.length() > 0) {
      parts.add(new Literal(literal.toString()));
      literal.setLength(0);
    }
  }
}
