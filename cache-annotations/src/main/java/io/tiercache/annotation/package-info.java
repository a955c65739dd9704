/**
 * Declarative caching, checked at compile time. Annotate the methods of an interface or of a
 * non-final class; the {@code cache-processor} annotation processor then writes, next to the type
 * {@code p.ProjectService}:
 *
 * <ul>
 *   <li>{@code p.ProjectServiceKeys}: one static method per annotated method, with the same
 *       parameters, returning the key ({@code ProjectServiceKeys.info(42L)} returns
 *       {@code "project:42:info"}), or the pattern of an {@link Invalidate};
 *   <li>{@code p.CachedProjectService}: the caching decorator. For an interface it implements the
 *       interface around a delegate ({@code new CachedProjectService(delegate, tierCache)}); for a
 *       non-final class it extends the class, with one constructor per accessible constructor of
 *       the class and a leading {@code TierCache} parameter. Its static
 *       {@code declareCaches(TierCacheBuilder)} declares every cache the type uses, with the settings
 *       of the annotations.
 * </ul>
 *
 * <pre>{@code
 * @CacheDefaults(cache = "projects")
 * public interface ProjectService {
 *   @Cached(cache = "project-info", key = "project:{id}:info", ttl = "2h")
 *   ProjectInfo info(long id);
 *
 *   @Cached(key = "user:{ids[]}")                      // cache "projects", from @CacheDefaults
 *   Map<Long, User> users(Set<Long> ids);
 *
 *   @CachePut(cache = "project-info", key = "project:{p.id}:info")
 *   ProjectInfo save(ProjectInfo p);
 *
 *   @Invalidate(key = "project:{id}:*")
 *   void checkIn(long id, long userId);
 * }
 * }</pre>
 *
 * <h2>Key templates</h2>
 * A key is a structured string such as {@code project:1141152412:leaderboard:continuous}; each
 * cache has its own key space, so the Redis key is {@code {prefix}:{cache}:{key}} (or {@code
 * {prefix}:{key}} for a cache the builder gives {@code sharedKeys(true)}). A template is literal
 * text and placeholders:
 *
 * <table>
 *   <caption>Template grammar</caption>
 *   <tr><th>Form</th><th>Meaning</th></tr>
 *   <tr><td>literal text</td><td>Copied as it is. Allowed characters: {@code A-Z a-z 0-9} and
 *       {@code - _ . ~ @ + = , / :} (and {@code *} in {@link Invalidate}).</td></tr>
 *   <tr><td>{@code {param}}</td><td>A parameter of the method, by its source name. Its type must
 *       have a stable text form: a primitive or its box, {@code String} or another
 *       {@code CharSequence}, an enum (its {@code name()}, never {@code toString()}, so two constants
 *       never share a key), {@code UUID}, {@code BigInteger},
 *       {@code BigDecimal}, or a {@code java.time} value type.</td></tr>
 *   <tr><td>{@code {param.property}}</td><td>A property of a parameter: a getter
 *       ({@code getId()}, {@code isActive()}), a record component or accessor ({@code id()}),
 *       or a public field ({@code id}). Properties may be nested: {@code {p.owner.id}}. The last
 *       one must have a stable text form.</td></tr>
 *   <tr><td>{@code {param#hash}}</td><td>A stable hash of the parameter's canonical JSON (object
 *       properties and map entries sorted by name): 32 hexadecimal digits, the same on every
 *       JVM. For filter objects: {@code products:{filter#hash}}. Also
 *       {@code {param.property#hash}}.</td></tr>
 *   <tr><td>{@code {ids[]}}</td><td>A {@code Collection}, {@code List} or {@code Set} parameter:
 *       one key per element ({@code {ids[].property}} and {@code {ids[]#hash}} read each element
 *       like a parameter). Only in {@link Cached}, once per template; the method returns
 *       {@code Map<E, V>} keyed by the elements or {@code List<V>} with one value per element.
 *       Cached values are read with one {@code MGET} and the method is called once, with only
 *       the missing elements.</td></tr>
 *   <tr><td>{@code *}</td><td>Any text, in {@link Invalidate} only: {@code project:{id}:*}
 *       removes every key of project {@code id}, whatever cache holds it.</td></tr>
 * </table>
 *
 * <p>Each placeholder's value is encoded as one key segment ({@code io.tiercache.Keys.segment}):
 * a value containing {@code :}, a glob character or any non-ASCII character is escaped, so two
 * argument lists never give the same key and a value never widens an invalidation pattern.
 * {@code null} is written {@code %N}.
 *
 * <h2>Durations</h2>
 * TTLs are a positive whole number and a unit: {@code "500ms"}, {@code "90s"}, {@code "30m"},
 * {@code "2h"}, {@code "1d"}. An empty string leaves the setting to the cache's declaration.
 *
 * <h2>Compile-time checks</h2>
 * The processor reports a {@code [tiercache]} error on the annotation value at fault, saying what
 * to do, for: an unknown parameter or property, {@code *} outside {@link Invalidate}, a segment
 * without a stable text form, {@link Cached} on a {@code void} method, a private, static or final
 * method, a final class, an unparseable duration, a return type that {@code {ids[]}} cannot map
 * back to its elements, conflicting annotations, and two methods of one cache whose keys can
 * coincide while their value types differ (or two readers with different templates, such as
 * {@code user:{id}} beside {@code user:{name}}). An {@link Invalidate} key that matches no
 * {@link Cached} or {@link CachePut} key of the type is a warning. Nothing is read by reflection
 * at run time: every annotation has {@code CLASS} retention.
 */
package io.tiercache.annotation;
