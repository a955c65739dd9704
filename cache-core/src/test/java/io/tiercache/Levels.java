package io.tiercache;

/** The three level configurations every cache test runs over. */
enum Levels {
  L1_ONLY(true, false),
  L2_ONLY(false, true),
  L1_L2(true, true);

  final boolean l1;
  final boolean l2;

  Levels(boolean l1, boolean l2) {
    this.l1 = l1;
    this.l2 = l2;
  }

  CacheSpec.Builder apply(CacheSpec.Builder spec) {
    return spec.l1(l1).l2(l2);
  }
}
