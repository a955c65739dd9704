package test;

import io.tiercache.annotation.Cached;
import java.io.IOException;

interface CheckedException {
  @Cached(cache = "c", key = "project:{id}")
  String info(long id) throws IOException;
}
