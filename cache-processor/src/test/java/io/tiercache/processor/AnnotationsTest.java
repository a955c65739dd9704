package io.tiercache.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tiercache.CacheSpec;
import io.tiercache.Strategy;
import io.tiercache.annotation.CacheDefaults;
import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;
import io.tiercache.annotation.WriteStrategy;
import java.lang.reflect.Method;
import java.util.Arrays;
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

  @Test
  void writeStrategy_hasTheRuntimesConstants_whichDeclareCachesMapsByName() {
    assertEquals(
        Arrays.stream(Strategy.values()).map(Enum::name).toList(),
        Arrays.stream(WriteStrategy.values()).map(Enum::name).toList());
  }

  @Test
  void everyCacheAttribute_isAnAttributeOfCachedAndCacheDefaults_andABuilderMethod()
      throws Exception {
    for (CacheAttribute attribute : CacheAttribute.values()) {
      Cached.class.getMethod(attribute.attribute);
      CacheDefaults.class.getMethod(attribute.attribute);
      boolean found = false;
      for (Method method : CacheSpec.Builder.class.getMethods()) {
        found |=
            method.getName().equals(attribute.builderMethod) && method.getParameterCount() == 1;
      }
      assertEquals(true, found, attribute.builderMethod);
    }
  }
}
