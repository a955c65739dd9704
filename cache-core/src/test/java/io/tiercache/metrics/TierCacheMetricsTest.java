package io.tiercache.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tiercache.Cache;
import io.tiercache.CoherenceMode;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.test.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TierCacheMetrics next to Micrometer's Caffeine binder in one Prometheus registry. */
class TierCacheMetricsTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  /** The Prometheus families of the names Tiercache shares with Micrometer's cache binders, and their types. */
  private static final Map<String, String> SHARED = Map.of(
      "cache_gets_total", "counter",
      "cache_puts_total", "counter",
      "cache_evictions_total", "counter",
      "cache_size", "gauge",
      "cache_load_total", "counter",
      "cache_load_duration_seconds", "gauge");

  private final List<TierCache> opened = new ArrayList<>();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<String> failedRegistrations = new CopyOnWriteArrayList<>();

  TierCacheMetricsTest() {
    registry
        .config()
        .onMeterRegistrationFailed((id, reason) -> failedRegistrations.add(id + ": " + reason));
  }

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
    registry.close();
  }

  private TierCache tier(UnaryOperator<TierCacheBuilder> extra) {
    TierCache tier = extra
        .apply(TierCache.builder()
            .redisUri(redis.uri())
            .keyPrefix("metrics")
            .cache("remote", s -> s.valueType(String.class)))
        .build();
    opened.add(tier);
    return tier;
  }

  /** The same reads on either cache: 3 loads, 2 hits, 1 miss without a loader. */
  private static void readTraffic(
      BiFunction<String, Function<String, String>, String> get,
      Function<String, String> getIfPresent) {
    for (String key : List.of("a", "b", "c")) {
      get.apply(key, String::toUpperCase);
    }
    get.apply("a", String::toUpperCase);
    get.apply("b", String::toUpperCase);
    getIfPresent.apply("absent");
  }

  private static String failingLoad(String key) {
    throw new IllegalStateException("no value for " + key);
  }

  @ParameterizedTest(name = "Caffeine bound first: {0}")
  @ValueSource(booleans = {true, false})
  void sharedNames_sameTypeTagKeysAndMeaningAsCaffeineCacheMetrics_inOnePrometheusRegistry(
      boolean caffeineFirst) {
    LoadingCache<String, String> caffeine = Caffeine.newBuilder()
        .recordStats()
        .maximumSize(100)
        .executor(Runnable::run)
        .build(String::toUpperCase);
    TierCache tier = tier(b -> b);
    Cache<String, String> remote = tier.cache("remote");
    if (caffeineFirst) {
      CaffeineCacheMetrics.monitor(registry, caffeine, "local");
      new TierCacheMetrics(tier).bindTo(registry);
    } else {
      new TierCacheMetrics(tier).bindTo(registry);
      CaffeineCacheMetrics.monitor(registry, caffeine, "local");
    }

    readTraffic(caffeine::get, caffeine::getIfPresent);
    readTraffic(remote::get, remote::getIfPresent);
    caffeine.cleanUp();

    assertEquals(List.of(), failedRegistrations, "no meter was refused by the Prometheus registry");
    String scrape = registry.scrape();
    for (Map.Entry<String, String> family : SHARED.entrySet()) {
      assertTrue(
          scrape.contains("# TYPE " + family.getKey() + " " + family.getValue() + "\n"),
          family.getKey() + " is one " + family.getValue() + " family:\n" + scrape);
    }
    Map<String, Double> local = shared(scrape, "local");
    Map<String, Double> tiered = shared(scrape, "remote");
    assertEquals(
        local.keySet(),
        tiered.keySet(),
        "both caches have every shared series, with the same tags");
    assertEquals(
        Set.of(
            "cache_gets_total{result=hit}",
            "cache_gets_total{result=miss}",
            "cache_puts_total{}",
            "cache_evictions_total{}",
            "cache_size{}",
            "cache_load_total{result=success}",
            "cache_load_total{result=failure}",
            "cache_load_duration_seconds{}"),
        tiered.keySet());
    for (String series : tiered.keySet()) {
      if (!series.startsWith("cache_load_duration")) {
        assertEquals(
            local.get(series), tiered.get(series), series + " means the same for both caches");
      }
    }
    assertEquals(2.0, tiered.get("cache_gets_total{result=hit}"));
    assertEquals(4.0, tiered.get("cache_gets_total{result=miss}"));
    assertEquals(
        3.0, tiered.get("cache_puts_total{}"), "loaded values are puts, as Micrometer counts them");
    assertEquals(3.0, tiered.get("cache_size{}"));
    assertTrue(tiered.get("cache_load_duration_seconds{}") > 0
        && local.get("cache_load_duration_seconds{}") > 0);
    assertEquals(
        tier.stats("remote").totalLoadTimeNanos() / 1e9,
        tiered.get("cache_load_duration_seconds{}"),
        1e-9);
    for (String name : List.of(
        "cache.gets",
        "cache.puts",
        "cache.evictions",
        "cache.size",
        "cache.load",
        "cache.load.duration")) {
      assertEquals(
          tagKeys(name, "local"), tagKeys(name, "remote"), name + " has the same tag keys");
      assertEquals(
          tagTypes(name, "local"), tagTypes(name, "remote"), name + " is the same meter type");
    }

    // Then a load that throws, and explicit puts.
    assertThrows(
        IllegalStateException.class, () -> caffeine.get("boom", TierCacheMetricsTest::failingLoad));
    assertThrows(
        IllegalStateException.class, () -> remote.get("boom", TierCacheMetricsTest::failingLoad));
    remote.put("p", "P");
    remote.put("q", "Q");
    Map<String, Double> after = shared(registry.scrape(), "remote");
    Map<String, Double> localAfter = shared(registry.scrape(), "local");
    assertEquals(
        localAfter.get("cache_load_total{result=failure}"),
        after.get("cache_load_total{result=failure}"));
    assertEquals(1.0, after.get("cache_load_total{result=failure}"));
    assertEquals(
        localAfter.get("cache_gets_total{result=miss}"),
        after.get("cache_gets_total{result=miss}"));
    assertEquals(
        3.0 + 2.0,
        after.get("cache_puts_total{}"),
        "values stored: 3 loaded, 2 put; a failed load stores none");
    assertEquals(5.0, after.get("cache_size{}"));
  }

  @Test
  void
      tiercacheDetail_liveUnderItsOwnNames_andInstanceTagsSeparateTwoTierCachesWithTheSameCacheNames() {
    TierCache writer = tier(b -> b);
    TierCache reader = tier(b -> b);
    TierCacheMetrics.builder(writer).instanceTag("a").build().bindTo(registry);
    TierCacheMetrics.builder(reader).instanceTag("b").build().bindTo(registry);
    writer.<String, String>cache("remote").put("k", "V");
    // the put's announcement first: a read it overlapped would not be kept in L1
    await().atMost(Duration.ofSeconds(1)).until(() -> reader.coherenceStats().received() >= 1);
    Cache<String, String> remote = reader.cache("remote");
    assertEquals("V", remote.getIfPresent("k")); // from Redis
    assertEquals("V", remote.getIfPresent("k")); // from L1
    remote.getIfPresent("absent");

    assertEquals(List.of(), failedRegistrations);
    String scrape = registry.scrape();
    assertEquals(
        1.0,
        value(
            scrape,
            "tiercache_cache_gets_total",
            "cache=remote",
            "level=l1",
            "tiercache_instance=b"));
    assertEquals(
        1.0,
        value(
            scrape,
            "tiercache_cache_gets_total",
            "cache=remote",
            "level=l2",
            "tiercache_instance=b"));
    assertEquals(
        1.0,
        value(
            scrape,
            "tiercache_cache_gets_total",
            "cache=remote",
            "level=none",
            "tiercache_instance=b"));
    assertEquals(
        2.0,
        value(scrape, "cache_gets_total", "cache=remote", "result=hit", "tiercache_instance=b"));
    assertEquals(
        0.0,
        value(scrape, "cache_gets_total", "cache=remote", "result=hit", "tiercache_instance=a"));
    assertEquals(1.0, value(scrape, "cache_puts_total", "cache=remote", "tiercache_instance=a"));
    assertEquals(1.0, value(scrape, "tiercache_redis_available", "tiercache_instance=a"));
    assertEquals(1.0, value(scrape, "tiercache_l1_answering", "tiercache_instance=a"));
    assertTrue(
        value(scrape, "tiercache_invalidations_sent_total", "tiercache_instance=a") >= 1.0, scrape);
    for (String family : List.of(
        "tiercache_cache_invalidations_total",
        "tiercache_cache_degraded_total",
        "tiercache_cache_decode_errors_total",
        "tiercache_cache_dead_letters_total",
        "tiercache_cache_write_back_queue",
        "tiercache_invalidations_received_total",
        "tiercache_invalidations_tracked_total",
        "tiercache_invalidation_gaps_total",
        "tiercache_invalidation_lag_p99_seconds")) {
      assertTrue(scrape.contains("\n" + family + "{"), family + " in\n" + scrape);
    }
    assertEquals(
        0.0,
        value(
            scrape,
            "tiercache_cache_refreshes_total",
            "cache=remote",
            "result=failure",
            "tiercache_instance=b"));
  }

  @Test
  void bindTo_refusesAMeterAnotherBinderHolds_andLeavesNothingOfItsOwn() {
    TierCache first = tier(b -> b);
    TierCache second = tier(b -> b.cache("more", s -> s.valueType(String.class)));
    new TierCacheMetrics(first).bindTo(registry);
    int meters = registry.getMeters().size();
    IllegalStateException twice = assertThrows(
        IllegalStateException.class, () -> new TierCacheMetrics(second).bindTo(registry));
    assertTrue(
        twice.getMessage().contains("already registered")
            && twice.getMessage().contains("instanceTag"),
        twice.getMessage());
    assertEquals(
        meters,
        registry.getMeters().size(),
        "the refused binder left no meter, not even for 'more'");
    assertTrue(registry.find("cache.gets").tag("cache", "more").meters().isEmpty());

    LoadingCache<String, String> caffeine =
        Caffeine.newBuilder().recordStats().build(String::toUpperCase);
    PrometheusMeterRegistry other = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CaffeineCacheMetrics.monitor(other, caffeine, "remote");
    IllegalStateException sameName =
        assertThrows(IllegalStateException.class, () -> new TierCacheMetrics(first).bindTo(other));
    assertTrue(
        sameName.getMessage().contains("cache.") && sameName.getMessage().contains("remote"),
        sameName.getMessage());
    other.close();
  }

  @Test
  void bindTo_again_addsCachesCreatedSince() {
    TierCache tier = tier(b -> b.allowUndeclaredCaches(true));
    TierCacheMetrics metrics = new TierCacheMetrics(tier);
    metrics.bindTo(registry);
    tier.cache("later", String.class).put("x", "X");
    metrics.bindTo(registry);
    assertEquals(
        1.0, registry.get("cache.puts").tags("cache", "later").functionCounter().count());
    assertEquals(
        0.0,
        registry.get("cache.puts").tags("cache", "remote").functionCounter().count());
  }

  @Test
  void instanceTag_withoutValue_isTheCoherenceInstanceId_andNeedsOne() {
    TierCache tier = tier(b -> b);
    TierCacheMetrics.builder(tier).tags("app", "checkin").instanceTag().build().bindTo(registry);
    String id = tier.coherenceStats().instanceId();
    assertTrue(!id.isEmpty());
    assertEquals(
        1.0,
        registry
            .get("tiercache.redis.available")
            .tags("app", "checkin", TierCacheMetrics.INSTANCE_TAG, id)
            .gauge()
            .value());

    TierCache alone = tier(b -> b.coherence(CoherenceMode.NONE));
    IllegalStateException none = assertThrows(
        IllegalStateException.class,
        () -> TierCacheMetrics.builder(alone).instanceTag().build());
    assertTrue(none.getMessage().contains("instanceTag(value)"), none.getMessage());
  }

  @Test
  void arguments_areValidated() {
    TierCache tier = tier(b -> b);
    assertEquals(
        "tier must not be null",
        assertThrows(NullPointerException.class, () -> TierCacheMetrics.builder(null))
            .getMessage());
    assertEquals(
        "tier must not be null",
        assertThrows(NullPointerException.class, () -> new TierCacheMetrics(null))
            .getMessage());
    assertEquals(
        "tags must not be null",
        assertThrows(NullPointerException.class, () -> new TierCacheMetrics(tier, null))
            .getMessage());
    assertEquals(
        "registry must not be null",
        assertThrows(NullPointerException.class, () -> new TierCacheMetrics(tier).bindTo(null))
            .getMessage());
    String reserved = assertThrows(
            IllegalArgumentException.class,
            () -> TierCacheMetrics.builder(tier).tags(Tags.of("cache", "x")))
        .getMessage();
    assertTrue(reserved.startsWith("tags must not use the key 'cache'"), reserved);
    assertTrue(assertThrows(
            IllegalArgumentException.class,
            () -> new TierCacheMetrics(tier, List.of(Tag.of("tiercache.instance", "x"))))
        .getMessage()
        .startsWith("tags must not use the key 'tiercache.instance'"));
    assertEquals(
        "keyValues must be key, value pairs, was 3 strings",
        assertThrows(
                IllegalArgumentException.class,
                () -> TierCacheMetrics.builder(tier).tags("a", "b", "c"))
            .getMessage());
    assertEquals(
        "keyValues must not contain null, index 1 was null",
        assertThrows(
                IllegalArgumentException.class,
                () -> TierCacheMetrics.builder(tier).tags("a", null))
            .getMessage());
    assertEquals(
        "value must not be blank",
        assertThrows(
                IllegalArgumentException.class,
                () -> TierCacheMetrics.builder(tier).instanceTag(" "))
            .getMessage());
    assertEquals(
        "value must not be null",
        assertThrows(
                NullPointerException.class, () -> TierCacheMetrics.builder(tier).instanceTag(null))
            .getMessage());
  }

  /* ---- reading the scrape ---- */

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-z0-9_]+)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");

  /** Every sample of the shared families for one cache, keyed by family and the labels other than {@code cache}. */
  private static Map<String, Double> shared(String scrape, String cache) {
    Map<String, Double> samples = new TreeMap<>();
    Matcher sample = SAMPLE.matcher(scrape);
    while (sample.find()) {
      Map<String, String> labels = labels(sample.group(2));
      if (SHARED.containsKey(sample.group(1)) && cache.equals(labels.remove("cache"))) {
        String rest = labels.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
        samples.put(sample.group(1) + "{" + rest + "}", Double.parseDouble(sample.group(3)));
      }
    }
    return samples;
  }

  /** The value of the one sample of {@code family} with exactly these labels ({@code key=value}). */
  private static double value(String scrape, String family, String... labels) {
    Map<String, String> wanted = new TreeMap<>();
    for (String label : labels) {
      wanted.put(label.substring(0, label.indexOf('=')), label.substring(label.indexOf('=') + 1));
    }
    Matcher sample = SAMPLE.matcher(scrape);
    List<Double> found = new ArrayList<>();
    while (sample.find()) {
      if (sample.group(1).equals(family) && labels(sample.group(2)).equals(wanted)) {
        found.add(Double.parseDouble(sample.group(3)));
      }
    }
    assertEquals(1, found.size(), family + wanted + " once in\n" + scrape);
    return found.get(0);
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new TreeMap<>();
    Matcher label = LABEL.matcher(text);
    while (label.find()) {
      labels.put(label.group(1), label.group(2));
    }
    return labels;
  }

  private Set<Set<String>> tagKeys(String name, String cache) {
    Set<Set<String>> keys = new TreeSet<>(Comparator.comparing(Object::toString));
    for (Meter meter : registry.find(name).tag("cache", cache).meters()) {
      keys.add(meter.getId().getTags().stream()
          .map(Tag::getKey)
          .collect(Collectors.toCollection(TreeSet::new)));
    }
    return keys;
  }

  private Set<Meter.Type> tagTypes(String name, String cache) {
    return registry.find(name).tag("cache", cache).meters().stream()
        .map(m -> m.getId().getType())
        .collect(Collectors.toSet());
  }
}
