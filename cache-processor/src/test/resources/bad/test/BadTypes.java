package test;

import io.tiercache.annotation.Cached;

class BadTypes {
  class Inner {
    @Cached(cache = "c", key = "inner:{id}")
    String info(long id) {
      return "";
    }
  }

  private interface Hidden {
    @Cached(cache = "c", key = "hidden:{id}")
    String info(long id);
  }

  interface Generic<T> {
    @Cached(cache = "c", key = "generic:{id}")
    String info(long id);
  }

  enum Kind {
    A;

    @Cached(cache = "c", key = "kind:{id}")
    String info(long id) {
      return "";
    }
  }

  static class NoConstructor {
    private NoConstructor() {}

    @Cached(cache = "c", key = "none:{id}")
    String info(long id) {
      return "";
    }
  }

  abstract static class Abstract {
    @Cached(cache = "c", key = "abstract:{id}")
    abstract String info(long id);
  }

  interface GenericMethod {
    @Cached(cache = "c", key = "genericMethod:{id}")
    <T> T info(long id);
  }
}
