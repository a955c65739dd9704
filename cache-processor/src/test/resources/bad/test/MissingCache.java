package test;

import io.tiercache.annotation.Cached;

interface MissingCache {
  @Cached(key = "project:{id}")
  String info(long id);
}
