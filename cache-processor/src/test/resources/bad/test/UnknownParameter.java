package test;

import io.tiercache.annotation.Cached;

interface UnknownParameter {
  @Cached(cache = "c", key = "project:{idd}:info")
  String info(long id);
}
