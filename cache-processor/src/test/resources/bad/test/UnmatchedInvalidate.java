package test;

import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;

interface UnmatchedInvalidate {
  @Cached(cache = "info", key = "project:{id}:info")
  String info(long id);

  @Invalidate(key = "project:{id}:*")
  void matches(long id);

  @Invalidate(key = "projet:{id}:*")
  void typo(long id);

  @Invalidate(cache = "other", key = "project:{id}:info")
  void otherCache(long id);
}
