package io.tiercache.examples.images;

import io.tiercache.Cache;
import io.tiercache.KeyEvent;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.examples.web.HttpError;
import io.tiercache.examples.web.Request;
import io.tiercache.examples.web.Response;
import io.tiercache.examples.web.Router;
import io.tiercache.toolkit.Lock;
import io.tiercache.toolkit.LockSpec;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seed 001's image proxy: images fetched from a slow origin are cached for a day as their bytes
 * and content type; when one expires in Redis, Redis's {@code expired} event reaches every
 * instance and one of them (the one that takes a short lock) fetches it again, so a popular image
 * is never a miss at its expiry. Delivery of key events is at most once (docs/operations.md): an
 * event lost to a disconnect only means the next request reads the origin.
 *
 * <pre>
 * GET /images/{id}     the image's bytes, with its Content-Type; X-Tiercache: hit or origin
 * </pre>
 */
public final class ImagesModule implements AutoCloseable {

  /** The cache's name. */
  public static final String CACHE = "images";
  /** An image lives a day (seed 001). */
  public static final Duration TTL = Duration.ofDays(1);

  /** A cached image: its bytes and content type. */
  public record Image(byte[] bytes, String contentType) {}

  private final Cache<Long, Image> images;
  private final ImageOrigin origin;
  private final TierCache tier;
  private final AutoCloseable subscription;
  private final AtomicLong refreshed = new AtomicLong();

  private ImagesModule(TierCache tier, ImageOrigin origin) {
    this.tier = tier;
    this.origin = origin;
    this.images = tier.cache(CACHE, Image.class);
    // refresh an image when it expires (seed 001): one instance fetches, the others skip
    this.subscription = tier.onKeyEvents(EnumSet.of(KeyEvent.Kind.EXPIRED), this::onExpired);
  }

  /**
   * Declares the cache: a day in Redis, few entries in L1 (images are large), not compressed (they
   * are already). Given as the cache's defaults, as annotations give theirs, so that configuration
   * ({@code TIERCACHE_CACHES_IMAGES_TTL=1h}) may override them.
   */
  public static TierCacheBuilder declareCaches(TierCacheBuilder builder) {
    return builder.cacheDefaults(
        CACHE,
        c -> c.valueType(Image.class)
            .ttl(TTL)
            .ttlJitter(0)
            .l1MaxSize(200)
            .compressionThreshold(0)
            .maxValueSize(16 * 1024 * 1024));
  }

  /** Starts the module over {@code origin}; call after {@code tier} is built with {@link #declareCaches}. */
  public static ImagesModule create(TierCache tier, ImageOrigin origin) {
    return new ImagesModule(tier, origin);
  }

  /** Adds the route. */
  public void routes(Router router) {
    router.route("GET", "/images/{id}", this::image);
  }

  private Response image(Request request) {
    long id = request.id("id");
    boolean[] fetched = {false};
    Image image = images.get(id, key -> {
      fetched[0] = true;
      return origin.fetch(key);
    });
    if (image == null) {
      throw new HttpError(404, "no image " + id);
    }
    return new Response(
        200,
        image.contentType(),
        image.bytes(),
        Map.of(
            "X-Tiercache",
            fetched[0] ? "origin" : "hit",
            "Cache-Control",
            "public, max-age=86400"));
  }

  private void onExpired(KeyEvent event) {
    if (!CACHE.equals(event.cacheName())) {
      return;
    }
    long id;
    try {
      id = Long.parseLong(event.key());
    } catch (NumberFormatException notOurs) {
      return;
    }
    Optional<Lock> lock = tier.locks()
        .tryAcquire("image-refresh:" + id, LockSpec.of(Duration.ofSeconds(10), Duration.ZERO));
    if (lock.isEmpty()) {
      return; // another instance refreshes it
    }
    try (Lock held = lock.get()) {
      Image fresh = origin.fetch(id);
      if (fresh != null) {
        images.put(id, fresh);
        refreshed.incrementAndGet();
      }
    } catch (RuntimeException e) {
      // the next request reads the origin
    }
  }

  /** Images fetched again by this instance because they expired. */
  public long refreshedOnExpiry() {
    return refreshed.get();
  }

  /** The origin's fetch count. */
  public ImageOrigin origin() {
    return origin;
  }

  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      // the subscription also ends with the TierCache
    }
  }
}
