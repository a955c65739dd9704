package io.tiercache.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.tiercache.CacheSpec;
import io.tiercache.CacheStats;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.processor.runtime.CatalogRepository;
import io.tiercache.processor.runtime.CountingShop;
import io.tiercache.processor.runtime.Filter;
import io.tiercache.processor.runtime.Level;
import io.tiercache.processor.runtime.Product;
import io.tiercache.processor.runtime.RankType;
import io.tiercache.processor.runtime.ShopService;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Compiles {@link ShopService} with the processor, loads the generated {@code CachedShopService}
 * and {@code ShopServiceKeys}, and runs them against a real TierCache on an embedded Redis.
 */
class GeneratedCodeTest {
  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final String PACKAGE = "io.tiercache.processor.runtime.";
  private static Class<?> cachedClass;
  private static Class<?> keysClass;
  private static Class<?> cachedCatalogClass;

  private final List<TierCache> tiers = new ArrayList<>();
  private CountingShop delegate;
  private ShopService shop;

  @BeforeAll
  static void compileAndLoad() throws IOException, ClassNotFoundException {
    Path sources = Path.of("src/test/java/io/tiercache/processor/runtime");
    Compilation compilation = Compiler.javac()
        .withProcessors(new TierCacheProcessor())
        .compile(
            JavaFileObjects.forSourceString(
                PACKAGE + "ShopService", Files.readString(sources.resolve("ShopService.java"))),
            JavaFileObjects.forSourceString(
                PACKAGE + "CatalogRepository",
                Files.readString(sources.resolve("CatalogRepository.java"))));
    assertThat(compilation).succeededWithoutWarnings();
    Map<String, byte[]> classes = new HashMap<>();
    for (JavaFileObject file : compilation.generatedFiles()) {
      if (file.getKind() == JavaFileObject.Kind.CLASS) {
        String name = file.getName()
            .replaceFirst("^/CLASS_OUTPUT/", "")
            .replaceFirst("\\.class$", "")
            .replace('/', '.');
        try (InputStream in = file.openInputStream()) {
          classes.put(name, in.readAllBytes());
        }
      }
    }
    ClassLoader loader = new ClassLoader(GeneratedCodeTest.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
    cachedClass = loader.loadClass(PACKAGE + "CachedShopService");
    keysClass = loader.loadClass(PACKAGE + "ShopServiceKeys");
    cachedCatalogClass = loader.loadClass(PACKAGE + "CachedCatalogRepository");
  }

  @BeforeEach
  void setUp() throws ReflectiveOperationException {
    delegate = new CountingShop();
    shop = decorate(delegate, newTier());
  }

  @AfterEach
  void closeTiers() {
    tiers.forEach(TierCache::close);
  }

  private TierCache newTier() throws ReflectiveOperationException {
    TierCacheBuilder builder = TierCache.builder().redisUri(redis.uri()).keyPrefix("zsxq");
    cachedClass.getMethod("declareCaches", TierCacheBuilder.class).invoke(null, builder);
    cachedCatalogClass.getMethod("declareCaches", TierCacheBuilder.class).invoke(null, builder);
    TierCache tier = builder.build();
    tiers.add(tier);
    return tier;
  }

  private static ShopService decorate(ShopService delegate, TierCache tier)
      throws ReflectiveOperationException {
    return (ShopService)
        cachedClass.getConstructor(ShopService.class, TierCache.class).newInstance(delegate, tier);
  }

  private static Object key(String method, Class<?>[] types, Object... args)
      throws ReflectiveOperationException {
    return keysClass.getMethod(method, types).invoke(null, args);
  }

  private static boolean inRedis(String key) {
    try (Resp resp = redis.connect()) {
      return ((Number) resp.command("EXISTS", key)).longValue() == 1;
    }
  }

  @Test
  void cached_callsDelegateOnceThenServesHits() throws ReflectiveOperationException {
    TierCache tier = newTier();
    ShopService counted = decorate(delegate, tier);
    Product first = counted.product(42);
    Product second = counted.product(42);
    Product third = counted.product(42);
    assertEquals(new Product(42, "product 42 v1"), first);
    assertEquals(first, second);
    assertEquals(first, third);
    assertEquals(1, delegate.calls("product"));
    assertEquals(true, inRedis("zsxq:product:product:42:info"));
    // The decorator looks in L1 before building a loader; each call still counts once.
    CacheStats stats = tier.cache("product", Product.class).stats();
    assertEquals(3, stats.requests());
    assertEquals(2, stats.l1Hits());
    assertEquals(1, stats.misses());
  }

  @Test
  void cached_servedFromRedisByAnotherInstance() throws ReflectiveOperationException {
    shop.product(7);
    CountingShop otherDelegate = new CountingShop();
    ShopService other = decorate(otherDelegate, newTier());
    assertEquals(new Product(7, "product 7 v1"), other.product(7));
    assertEquals(0, otherDelegate.calls("product"));
  }

  @Test
  void keys_areExactlyWhatTheTemplatesSay() throws ReflectiveOperationException {
    assertEquals(List.of("alice", "bob"), shop.leaderboard(1141152412L, RankType.continuous));
    assertEquals(
        "project:1141152412:leaderboard:continuous",
        key(
            "leaderboard",
            new Class<?>[] {long.class, RankType.class},
            1141152412L,
            RankType.continuous));
    assertEquals(true, inRedis("zsxq:leaderboard:project:1141152412:leaderboard:continuous"));
    assertEquals("product:42:info", key("product", new Class<?>[] {long.class}, 42L));
    assertEquals(
        List.of("user:1", "user:2"),
        key("users", new Class<?>[] {Set.class}, new LinkedHashSet<>(List.of(1L, 2L))));
  }

  @Test
  void declareCaches_passesTheAnnotationTtls() throws ReflectiveOperationException {
    TierCache tier = newTier();
    assertEquals(
        Duration.ofHours(1), tier.cache("product", Product.class).spec().ttl());
    assertEquals(
        Duration.ofSeconds(30), tier.cache("product", Product.class).spec().nullTtl());
    assertEquals(
        Duration.ofMinutes(1), tier.cache("product", Product.class).spec().l1Ttl());
    assertEquals(Set.of("product", "leaderboard", "shop", "catalog"), tier.cacheNames());
  }

  @Test
  void declareCaches_passesTheOtherSettings_andCacheDefaultsFillsWhatNoMethodSets()
      throws ReflectiveOperationException {
    TierCache tier = newTier();
    CacheSpec product = tier.cache("product", Product.class).spec();
    assertEquals(500, product.l1MaxSize());
    assertEquals(0, product.compressionThreshold());
    assertEquals(Duration.ofSeconds(2), product.distributedLoadWait());
    assertEquals(
        0.0, product.ttlJitter()); // @Cached(ttlJitter = 0) beats @CacheDefaults(ttlJitter = 0.2)
    CacheSpec shop = tier.cache("shop", String.class).spec();
    assertEquals(false, shop.l1Enabled()); // from stock(), so for every method of "shop"
    assertEquals(0.2, shop.ttlJitter());
    assertEquals(0.2, tier.cache("leaderboard", String.class).spec().ttlJitter());
    assertEquals(CacheSpec.DEFAULT_COMPRESSION_THRESHOLD, shop.compressionThreshold());
  }

  @Test
  void declareCaches_isOverriddenByTheApplicationsOwnDeclaration()
      throws ReflectiveOperationException {
    TierCacheBuilder builder = TierCache.builder().redisUri(redis.uri()).keyPrefix("zsxq");
    cachedClass.getMethod("declareCaches", TierCacheBuilder.class).invoke(null, builder);
    cachedCatalogClass.getMethod("declareCaches", TierCacheBuilder.class).invoke(null, builder);
    builder.defaults(d -> d.ttlJitter(0.05).l1MaxSize(7)); // weaker than the annotations
    builder.cache("shop", c -> c.l1(true).ttlJitter(0.3)); // stronger than the annotations
    TierCache tier = builder.build();
    tiers.add(tier);
    CacheSpec shop = tier.cache("shop", String.class).spec();
    assertEquals(true, shop.l1Enabled());
    assertEquals(0.3, shop.ttlJitter());
    assertEquals(7, shop.l1MaxSize());
    assertEquals(500, tier.cache("product", Product.class).spec().l1MaxSize());
    assertEquals(0.2, tier.cache("leaderboard", String.class).spec().ttlJitter());
  }

  @Test
  void invalidatePattern_evictsAcrossCaches() {
    shop.product(8);
    shop.owner(8);
    shop.product(9);
    shop.touch(8); // product:8:* spans the "product" and "shop" caches
    assertEquals(false, inRedis("zsxq:product:product:8:info"));
    assertEquals(false, inRedis("zsxq:shop:product:8:owner"));
    assertEquals(true, inRedis("zsxq:product:product:9:info"));
    assertEquals(new Product(8, "product 8 v3"), shop.product(8));
    shop.owner(8);
    shop.product(9);
    assertEquals(3, delegate.calls("product"));
    assertEquals(2, delegate.calls("owner"));
  }

  @Test
  void invalidate_severalKeysAfterTheCall_resultReturned() {
    shop.product(5);
    shop.users(Set.of(77L));
    assertEquals(1, shop.transfer(5, 77));
    assertEquals(false, inRedis("zsxq:product:product:5:info"));
    assertEquals(false, inRedis("zsxq:shop:user:77"));
    shop.product(5);
    shop.users(Set.of(77L));
    assertEquals(2, delegate.calls("product"));
    assertEquals(2, delegate.calls("users"));
  }

  @Test
  void arrayResults_areCachedAndReadBackFromRedis() throws ReflectiveOperationException {
    // issue 17 item 2: the decorator's constructor used to refuse array value types as abstract
    assertArrayEquals(new String[] {"t3", "new"}, shop.tags(3));
    assertArrayEquals(new byte[] {3, 0, -1}, shop.blob(3));
    assertArrayEquals(new int[][] {{3}, {1, 2}}, shop.grid(3));
    assertEquals(true, inRedis("zsxq:shop:tags:3"));
    CountingShop otherDelegate = new CountingShop();
    ShopService other = decorate(otherDelegate, newTier());
    assertArrayEquals(new String[] {"t3", "new"}, other.tags(3));
    assertArrayEquals(new byte[] {3, 0, -1}, other.blob(3));
    assertArrayEquals(new int[][] {{3}, {1, 2}}, other.grid(3));
    assertEquals(
        0, otherDelegate.calls("tags") + otherDelegate.calls("blob") + otherDelegate.calls("grid"));
  }

  @Test
  void enumSegments_areTheConstantsNames_notTheirToString() throws ReflectiveOperationException {
    // issue 17 item 5: GOLD and SILVER share one toString(), and must not share one key
    assertEquals("level:GOLD", key("level", new Class<?>[] {Level.class}, Level.GOLD));
    assertEquals("level:SILVER", key("level", new Class<?>[] {Level.class}, Level.SILVER));
    assertEquals("level GOLD", shop.level(Level.GOLD));
    assertEquals("level SILVER", shop.level(Level.SILVER));
    assertEquals(2, delegate.calls("level"));
  }

  @Test
  void cachePut_storesTheResult() {
    Product saved = shop.save(new Product(11, "saved"));
    assertEquals(new Product(11, "saved"), saved);
    assertEquals(saved, shop.product(11));
    assertEquals(0, delegate.calls("product"));
    assertEquals(true, inRedis("zsxq:product:product:11:info"));
  }

  @Test
  void bulkMap_delegateCalledOnceWithOnlyTheMissingIds() {
    assertEquals(
        Map.of(1L, "user 1", 2L, "user 2"), shop.users(new LinkedHashSet<>(List.of(1L, 2L))));
    Map<Long, String> all = shop.users(new LinkedHashSet<>(List.of(4L, 1L, 3L, 2L, 500L)));
    assertEquals(2, delegate.calls("users"));
    assertEquals(List.of(List.of(1L, 2L), List.of(4L, 3L, 500L)), delegate.bulkArguments);
    Map<Long, String> expected = new LinkedHashMap<>();
    expected.put(4L, "user 4");
    expected.put(1L, "user 1");
    expected.put(3L, "user 3");
    expected.put(2L, "user 2");
    assertEquals(expected, all);
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(all.keySet())); // in the order asked
    // 500 has no user: cached as null, so asking again loads nothing.
    shop.users(new LinkedHashSet<>(List.of(1L, 500L)));
    assertEquals(2, delegate.calls("users"));
  }

  @Test
  void bulkMap_readsRedisForAnotherInstance() throws ReflectiveOperationException {
    shop.users(new LinkedHashSet<>(List.of(1L, 2L)));
    CountingShop otherDelegate = new CountingShop();
    ShopService other = decorate(otherDelegate, newTier());
    assertEquals(
        Map.of(1L, "user 1", 2L, "user 2", 3L, "user 3"),
        other.users(new LinkedHashSet<>(List.of(1L, 2L, 3L))));
    assertEquals(List.of(List.of(3L)), otherDelegate.bulkArguments);
  }

  @Test
  void bulkList_oneValuePerElementInOrder() {
    List<String> first = shop.names(List.of(1L, 200L));
    assertEquals(2, first.size());
    assertEquals("name 1", first.get(0));
    assertNull(first.get(1));
    List<String> second = shop.names(List.of(3L, 200L, 1L));
    assertEquals(Arrays.asList("name 3", null, "name 1"), second);
    assertEquals(List.of(List.of(1L, 200L), List.of(3L)), delegate.bulkArguments);
  }

  @Test
  void optional_emptyIsCachedAsNull() {
    assertEquals(Optional.empty(), shop.owner(3));
    assertEquals(Optional.empty(), shop.owner(3));
    assertEquals(Optional.of("owner 4"), shop.owner(4));
    assertEquals(Optional.of("owner 4"), shop.owner(4));
    assertEquals(2, delegate.calls("owner"));
  }

  @Test
  void completableFuture_cachedWithoutBlocking() {
    assertEquals(60, shop.stock(6).join());
    assertEquals(60, shop.stock(6).join());
    assertEquals(1, delegate.calls("stock"));
    assertEquals(true, inRedis("zsxq:shop:product:6:stock"));
  }

  @Test
  void hash_isTheCanonicalJsonDigest() throws Exception {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("b", "2");
    ab.put("a", "1");
    Filter filter = new Filter("books", ab, List.of("new"));
    Filter sameContent =
        new Filter("books", new TreeMap<>(Map.of("a", "1", "b", "2")), List.of("new"));
    String canonical =
        "{\"attributes\":{\"a\":\"1\",\"b\":\"2\"},\"category\":\"books\",\"tags\":[\"new\"]}";
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      hex.append(String.format("%02x", digest[i]));
    }
    assertEquals("search:books:" + hex, key("search", new Class<?>[] {Filter.class}, filter));
    assertEquals(List.of(1L, 2L), shop.search(filter));
    assertEquals(List.of(1L, 2L), shop.search(sameContent));
    assertEquals(1, delegate.calls("search"));
    assertNotEquals(
        key("search", new Class<?>[] {Filter.class}, filter),
        key("search", new Class<?>[] {Filter.class}, new Filter("books", ab, List.of("old"))));
  }

  @Test
  void hash_ofAValueWithNoVisibleProperty_failsInsteadOfSharingOneKey() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> shop.opaque(new ShopService.Opaque("a")));
    assertTrue(
        e.getMessage().startsWith("a {param#hash} key segment cannot be written as JSON"),
        e.getMessage());
    assertEquals(0, delegate.calls("opaque"), "failed before anything was cached or loaded");
  }

  @Test
  void notAnnotated_delegatedEveryTime() {
    assertEquals("product 1", shop.describe(1));
    assertEquals("product 1", shop.describe(1));
    assertEquals(2, delegate.calls("describe"));
  }

  @Test
  void constructorAndKeys_rejectNull() throws ReflectiveOperationException {
    TierCache tier = newTier();
    InvocationTargetException noDelegate =
        assertThrows(InvocationTargetException.class, () -> decorate(null, tier));
    assertEquals("delegate must not be null", noDelegate.getCause().getMessage());
    InvocationTargetException noProduct = assertThrows(
        InvocationTargetException.class,
        () -> key("save", new Class<?>[] {Product.class}, (Object) null));
    assertEquals(
        "p must not be null: the key product:{p.id}:info reads its properties",
        noProduct.getCause().getMessage());
  }

  @Test
  void classDecorator_extendsTheClassAndCachesItsMethods() throws ReflectiveOperationException {
    CatalogRepository catalog = (CatalogRepository) cachedCatalogClass
        .getConstructor(TierCache.class, String.class)
        .newInstance(newTier(), "title ");
    assertEquals("title 0", catalog.first, "the constructor's call went straight to the class");
    assertEquals(1, catalog.loads);
    assertEquals(
        false, inRedis("zsxq:catalog:catalog:0"), "nothing cached before the caches were set");
    assertEquals("title 1", catalog.title(1));
    assertEquals("title 1", catalog.title(1));
    assertEquals(2, catalog.loads);
    catalog.rename(1);
    assertEquals(false, inRedis("zsxq:catalog:catalog:1"));
    assertEquals("title 1", catalog.title(1));
    assertEquals(3, catalog.loads);
  }
}
