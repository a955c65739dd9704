package test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tiercache.Keys;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.annotation.processing.Generated;

/**
 * The keys of {@link ProjectService}'s cached methods: each method takes the same parameters as the
 * annotated method and returns the key its template gives.
 */
@Generated("io.tiercache.processor.TierCacheProcessor")
public final class ProjectServiceKeys {
  private static final ObjectMapper CANONICAL_JSON = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private ProjectServiceKeys() {
  }

  /**
   * Returns the key of {@link ProjectService#info}: {@code project:{id}:info}.
   */
  public static String info(long id) {
    return "project:" + id + ":info";
  }

  /**
   * Returns the key of {@link ProjectService#leaderboard}: {@code project:{id}:leaderboard:{type}}.
   */
  public static String leaderboard(long id, RankType type) {
    return "project:" + id + ":leaderboard:" + Keys.segment(type);
  }

  /**
   * Returns the key of {@link ProjectService#users}: {@code user:{ids[]}}.
   */
  public static List<String> users(Set<Long> ids) {
    Objects.requireNonNull(ids, "ids must not be null");
    List<String> keys = new ArrayList<>(ids.size());
    for (Long element : ids) {
      keys.add(usersKey(element));
    }
    return keys;
  }

  /**
   * Returns the key of one element of {@code ids}: {@code user:{ids[]}}.
   */
  public static String usersKey(Long ids) {
    return "user:" + Keys.segment(ids);
  }

  /**
   * Returns the key of {@link ProjectService#owner}: {@code project:{id}:owner}.
   */
  public static String owner(long id) {
    return "project:" + id + ":owner";
  }

  /**
   * Returns the key of {@link ProjectService#stats}: {@code project:{id}:stats}.
   */
  public static String stats(long id) {
    return "project:" + id + ":stats";
  }

  /**
   * Returns the key of {@link ProjectService#search}: {@code search:{filter#hash}}.
   */
  public static String search(Filter filter) {
    return "search:" + canonicalJsonHash(filter);
  }

  /**
   * Returns the key of {@link ProjectService#save}: {@code project:{p.id}:info}.
   */
  public static String save(ProjectInfo p) {
    Objects.requireNonNull(p, "p must not be null: the key project:{p.id}:info reads its properties");
    return "project:" + p.id() + ":info";
  }

  /**
   * Returns the keys and patterns removed by {@link ProjectService#checkIn}: {@code project:{id}:*, user:{userId}}.
   */
  public static List<String> checkIn(long id, long userId) {
    return List.of(
          "project:" + id + ":*",
          "user:" + userId);
  }

  /**
   * The first 16 bytes of the SHA-256 of the value's canonical JSON (properties and map entries
   * sorted by name), in hexadecimal: the same text on every JVM.
   */
  private static String canonicalJsonHash(Object value) {
    byte[] json;
    try {
      json = CANONICAL_JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a {param#hash} key segment cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(json);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    char[] hex = new char[32];
    for (int i = 0; i < 16; i++) {
      hex[2 * i] = Character.forDigit((digest[i] >> 4) & 0xF, 16);
      hex[2 * i + 1] = Character.forDigit(digest[i] & 0xF, 16);
    }
    return new String(hex);
  }
}
