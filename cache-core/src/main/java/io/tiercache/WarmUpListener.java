package io.tiercache;

/** Reports warm-up progress; called from the warm-up's worker threads after each key. */
@FunctionalInterface
public interface WarmUpListener {

  /**
   * @param done keys finished so far (loaded, found or failed)
   * @param total keys in the warm-up
   */
  void progress(int done, int total);
}
