package io.tiercache.processor;

import io.tiercache.processor.MethodModel.Operation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Types;

/**
 * Refuses two methods whose entries can land on one Redis key while their values or meanings
 * differ, within a type and across the types of one compilation (it keeps the keys of every type
 * it has seen, across rounds).
 *
 * <p>Each cache has its own key space ({@code {prefix}:{cache}:{key}}), so only methods of one
 * cache can meet; caches that a builder puts in the shared key space ({@code
 * CacheSpec.sharedKeys(true)}) are not known here. Two methods of one cache whose templates can
 * give one key ({@link KeyShapes#overlap}) collide when their value types differ, or when both are
 * {@code @Cached} readers whose templates differ in their text or in the types their placeholders
 * write ({@code user:{id}} with {@code long id} beside {@code user:{name}} with {@code String
 * name}): one would return what the other cached. Readers of one shape ({@code project:{id}:info}
 * and the bulk {@code project:{ids[]}:info} of {@code Set<Long> ids}) read one entry. A reader
 * and a {@code @CachePut} writer of one value type may share keys, whatever their templates: that
 * is what the writer is for.
 */
final class KeyCollisions {

  /** An annotated method as a member of the type that was processed. */
  private record Entry(TypeElement owner, MethodModel model) {}

  private final Types types;
  private final Reporter reporter;
  private final Annotations annotations;
  private final List<Entry> seen = new ArrayList<>();
  /** Pairs already compared, so a base's methods are not compared again for each subtype. */
  private final Set<String> compared = new HashSet<>();

  KeyCollisions(Types types, Reporter reporter, Annotations annotations) {
    this.types = types;
    this.reporter = reporter;
    this.annotations = annotations;
  }

  /**
   * Reports each method of {@code owner} whose key can collide with that of an earlier method of
   * the type or of a type checked before, then remembers the type's keys.
   */
  void check(TypeElement owner, List<MethodModel> models) {
    List<Entry> entries = new ArrayList<>();
    for (MethodModel model : models) {
      if (model.key() != null && model.valueType() != null) {
        entries.add(new Entry(owner, model));
      }
    }
    for (int i = 0; i < entries.size(); i++) {
      Entry later = entries.get(i);
      List<Entry> earlier = new ArrayList<>(seen);
      earlier.addAll(entries.subList(0, i));
      for (Entry other : earlier) {
        String reason = reason(other, later);
        if (reason != null) {
          report(later, other, reason);
          break; // one error per method
        }
      }
    }
    seen.addAll(entries);
  }

  /** Why the two methods collide, or null if they do not. */
  private String reason(Entry earlier, Entry later) {
    MethodModel a = earlier.model();
    MethodModel b = later.model();
    if (!a.cacheName().equals(b.cacheName()) || !KeyShapes.overlap(a.key(), b.key())) {
      return null;
    }
    String pair = System.identityHashCode(a.element()) + "/" + a.valueType() + "|"
        + System.identityHashCode(b.element()) + "/" + b.valueType();
    if (!compared.add(pair)
        || a.element().equals(b.element()) && types.isSameType(a.valueType(), b.valueType())) {
      return null; // the same method (inherited by two processed types), or a pair compared before
    }
    if (!types.isSameType(a.valueType(), b.valueType())) {
      return Messages.keysCollideValueTypes(
          describe(later),
          describe(earlier),
          b.cacheName(),
          b.key().template(),
          a.key().template(),
          b.valueType().toString(),
          a.valueType().toString());
    }
    if (a.operation() == Operation.CACHED
        && b.operation() == Operation.CACHED
        && !a.key().shape().equals(b.key().shape())) {
      return Messages.keysCollideArguments(
          describe(later),
          describe(earlier),
          b.cacheName(),
          b.key().template(),
          a.key().template());
    }
    return null;
  }

  /** {@code Svc.name()}, or {@code Repo.find() in NameRepo} for a method a subtype inherits. */
  private static String describe(Entry entry) {
    Element declaring = entry.model().element().getEnclosingElement();
    String method = declaring.getSimpleName() + "." + entry.model().name() + "()";
    return declaring.equals(entry.owner())
        ? method
        : method + " in " + entry.owner().getSimpleName();
  }

  /** On the later method's key; on the type when the method is inherited from a supertype. */
  private void report(Entry later, Entry other, String message) {
    MethodModel model = later.model();
    if (!model.element().getEnclosingElement().equals(later.owner())) {
      reporter.error(message, later.owner());
      return;
    }
    String annotation =
        model.operation() == Operation.CACHED ? Annotations.CACHED : Annotations.CACHE_PUT;
    AnnotationMirror mirror = annotations.find(model.element(), annotation).orElse(null);
    if (mirror == null) {
      reporter.error(message, model.element());
    } else {
      reporter.error(message, model.element(), mirror, Annotations.explicitValue(mirror, "key"));
    }
  }
}
