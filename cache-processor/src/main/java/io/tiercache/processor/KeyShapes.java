package io.tiercache.processor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decides whether an {@code @Invalidate} template can match a cached key template: whether some
 * key fits both, where a placeholder stands for any text without {@code :} (an encoded segment)
 * and {@code *} for any text. Used for the "matches no cached key" warning.
 */
final class KeyShapes {

  /** A placeholder: any text without ':'. */
  private static final Object SEGMENT = new Object();
  /** A wildcard: any text. */
  private static final Object ANY = new Object();

  private KeyShapes() {}

  /** Whether some key fits both templates. */
  static boolean overlap(ResolvedKey first, ResolvedKey second) {
    List<Object> a = tokens(first);
    List<Object> b = tokens(second);
    boolean[][] seen = new boolean[a.size() + 1][b.size() + 1];
    Deque<int[]> work = new ArrayDeque<>();
    work.push(new int[] {0, 0});
    while (!work.isEmpty()) {
      int[] state = work.pop();
      int i = state[0];
      int j = state[1];
      if (seen[i][j]) {
        continue;
      }
      seen[i][j] = true;
      if (i == a.size() && j == b.size()) {
        return true;
      }
      Object x = i < a.size() ? a.get(i) : null;
      Object y = j < b.size() ? b.get(j) : null;
      if (isWildcard(x)) {
        work.push(new int[] {i + 1, j}); // x matches nothing more
      }
      if (isWildcard(y)) {
        work.push(new int[] {i, j + 1});
      }
      if (x == null || y == null) {
        continue;
      }
      if (x instanceof Character cx && y instanceof Character cy) {
        if (cx.charValue() == cy.charValue()) {
          work.push(new int[] {i + 1, j + 1});
        }
      } else if (isWildcard(x) && y instanceof Character cy) {
        if (accepts(x, cy)) {
          work.push(new int[] {i, j + 1}); // x consumes the character and goes on
        }
      } else if (x instanceof Character cx && isWildcard(y)) {
        if (accepts(y, cx)) {
          work.push(new int[] {i + 1, j});
        }
      }
      // Two wildcards facing each other: skipping either one (above) covers every case.
    }
    return false;
  }

  private static boolean isWildcard(Object token) {
    return token == SEGMENT || token == ANY;
  }

  private static boolean accepts(Object wildcard, char c) {
    return wildcard == ANY || c != ':';
  }

  private static List<Object> tokens(ResolvedKey key) {
    List<Object> tokens = new ArrayList<>();
    for (ResolvedKey.Part part : key.parts()) {
      if (part instanceof ResolvedKey.Text text) {
        for (char c : text.text().toCharArray()) {
          tokens.add(c);
        }
      } else if (part instanceof ResolvedKey.Wildcard) {
        tokens.add(ANY);
      } else {
        tokens.add(SEGMENT);
      }
    }
    return tokens;
  }
}
