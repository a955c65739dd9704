package io.tiercache.spring;

import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;

/** A service with Tiercache's own annotations: the processor generates CachedProfileService. */
public interface ProfileService {

  /** A profile as the service returns it. */
  record Profile(long id, String bio) {}

  @Cached(cache = "profiles", key = "profile:{id}", ttl = "2h")
  Profile profile(long id);

  @Invalidate(key = "profile:{id}")
  void changed(long id);
}
