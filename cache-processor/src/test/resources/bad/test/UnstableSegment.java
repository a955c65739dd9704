package test;

import io.tiercache.annotation.Cached;
import java.util.List;
import java.util.Map;

interface UnstableSegment {
  class Filter {
    public String category;
  }

  @Cached(cache = "c", key = "tags:{tags}")
  String byTags(List<String> tags);

  @Cached(cache = "c", key = "codes:{codes}")
  String byCodes(int[] codes);

  @Cached(cache = "c", key = "query:{query}")
  String byQuery(Map<String, String> query);

  @Cached(cache = "c", key = "filter:{filter}")
  String byFilter(Filter filter);

  @Cached(cache = "c", key = "category:{filter.category}:{filter#hash}")
  String fine(Filter filter);
}
