package test;

import io.tiercache.annotation.Cached;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

interface UnmappableReturn {
  @Cached(cache = "c", key = "joined:{ids[]}")
  String joined(Set<Long> ids);

  @Cached(cache = "c", key = "byName:{ids[]}")
  Map<String, String> byName(Set<Long> ids);

  @Cached(cache = "c", key = "later:{ids[]}")
  CompletableFuture<List<String>> later(List<Long> ids);

  @Cached(cache = "c", key = "user:{id[]}")
  List<String> notACollection(long id);
}
