package io.tiercache.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tiercache.annotation.CacheDefaults;
import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;
import org.junit.jupiter.api.Test;

class AnnotationsTest {

  @Test
  void theNamesTheProcessorClaims_areTheAnnotationsClasses() {
    assertEquals(Cached.class.getCanonicalName(), Annotations.CACHED);
    assertEquals(CachePut.class.getCanonicalName(), Annotations.CACHE_PUT);
    assertEquals(Invalidate.class.getCanonicalName(), Annotations.INVALIDATE);
    assertEquals(Invalidate.List.class.getCanonicalName(), Annotations.INVALIDATE_LIST);
    assertEquals(CacheDefaults.class.getCanonicalName(), Annotations.CACHE_DEFAULTS);
  }
}
