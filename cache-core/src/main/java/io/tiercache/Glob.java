package io.tiercache;

/**
 * Redis glob matching ({@code * ? [abc] [^a] [a-z] \x}), so that L1 evicts exactly the keys that
 * {@code SCAN MATCH} finds in L2.
 */
final class Glob {
  private Glob() {}

  static boolean matches(String pattern, String text) {
    return match(pattern, 0, text, 0);
  }

  /** How many characters the pattern starts with before its first special one ({@code * ? [ \}). */
  static int literalPrefixLength(String pattern) {
    int i = 0;
    while (i < pattern.length() && "*?[\\".indexOf(pattern.charAt(i)) < 0) {
      i++;
    }
    return i;
  }

  /** Whether the pattern has a special character, so that it may match more than one key. */
  static boolean hasSpecial(String pattern) {
    return literalPrefixLength(pattern) < pattern.length();
  }

  private static boolean match(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      switch (c) {
        case '*':
          while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') {
            pi++;
          }
          if (pi + 1 == p.length()) {
            return true;
          }
          for (int i = si; i <= s.length(); i++) {
            if (match(p, pi + 1, s, i)) {
              return true;
            }
          }
          return false;
        case '?':
          if (si >= s.length()) {
            return false;
          }
          pi++;
          si++;
          break;
        case '[': {
          if (si >= s.length()) {
            return false;
          }
          int end = pi + 1;
          boolean not = end < p.length() && p.charAt(end) == '^';
          if (not) {
            end++;
          }
          boolean found = false;
          char ch = s.charAt(si);
          while (end < p.length() && p.charAt(end) != ']') {
            if (p.charAt(end) == '\\' && end + 1 < p.length()) {
              end++;
              found |= p.charAt(end) == ch;
              end++;
            } else if (end + 2 < p.length()
                && p.charAt(end + 1) == '-'
                && p.charAt(end + 2) != ']') {
              char lo = p.charAt(end);
              char hi = p.charAt(end + 2);
              if (lo > hi) {
                char t = lo;
                lo = hi;
                hi = t;
              }
              found |= ch >= lo && ch <= hi;
              end += 3;
            } else {
              found |= p.charAt(end) == ch;
              end++;
            }
          }
          if (found == not) {
            return false;
          }
          pi = Math.min(end + 1, p.length());
          si++;
          break;
        }
        case '\\':
          if (pi + 1 < p.length()) {
            pi++;
            c = p.charAt(pi);
          }
        // fall through: the escaped character is a literal
        default:
          if (si >= s.length() || s.charAt(si) != c) {
            return false;
          }
          pi++;
          si++;
      }
    }
    return si == s.length();
  }
}
