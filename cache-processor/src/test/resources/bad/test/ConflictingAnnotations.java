package test;

import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;

interface ConflictingAnnotations {
  @Cached(cache = "c", key = "project:{id}")
  @Invalidate(key = "project:{id}")
  String readAndDrop(long id);

  @Cached(cache = "c", key = "project:{id}")
  @CachePut(cache = "c", key = "project:{id}")
  String readAndWrite(long id);
}
