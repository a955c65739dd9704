package io.tiercache.toolkit;

/**
 * The wall clock the toolkit reads for rate-limit windows and token timestamps. Tests inject a
 * clock they move by hand; production uses {@link #system()}. Not public: the toolkit of a
 * {@code TierCache} reads the system clock.
 */
@FunctionalInterface
interface WallClock {

  /**
   * The current time.
   *
   * @return milliseconds since the epoch
   */
  long currentTimeMillis();

  /** The system clock ({@link System#currentTimeMillis()}). */
  static WallClock system() {
    return SystemClock.INSTANCE;
  }
}

enum SystemClock implements WallClock {
  INSTANCE;

  @Override
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }
}
