package io.tiercache.processor.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The delegate: answers from fixed data and records every call. */
public final class CountingShop implements ShopService {
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** The element collections the bulk methods were called with, in order. */
  public final List<Collection<Long>> bulkArguments = new ArrayList<>();

  /** How many times a method was called. */
  public int calls(String method) {
    AtomicInteger count = calls.get(method);
    return count == null ? 0 : count.get();
  }

  private void count(String method) {
    calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public Product product(long id) {
    count("product");
    return new Product(id, "product " + id + " v" + calls("product"));
  }

  @Override
  public List<String> leaderboard(long id, RankType type) {
    count("leaderboard");
    return List.of("alice", "bob");
  }

  @Override
  public Map<Long, String> users(Set<Long> ids) {
    count("users");
    bulkArguments.add(List.copyOf(ids));
    Map<Long, String> found = new LinkedHashMap<>();
    for (Long id : ids) {
      if (id < 100) {
        found.put(id, "user " + id);
      }
    }
    return found;
  }

  @Override
  public List<String> names(List<Long> ids) {
    count("names");
    bulkArguments.add(List.copyOf(ids));
    List<String> values = new ArrayList<>();
    for (Long id : ids) {
      values.add(id < 100 ? "name " + id : null);
    }
    return values;
  }

  @Override
  public Optional<String> owner(long id) {
    count("owner");
    return id % 2 == 0 ? Optional.of("owner " + id) : Optional.empty();
  }

  @Override
  public CompletableFuture<Integer> stock(long id) {
    count("stock");
    return CompletableFuture.supplyAsync(() -> (int) id * 10);
  }

  @Override
  public List<Long> search(Filter filter) {
    count("search");
    return List.of(1L, 2L);
  }

  @Override
  public String opaque(Opaque token) {
    count("opaque");
    return "for " + token;
  }

  @Override
  public String[] tags(long id) {
    count("tags");
    return new String[] {"t" + id, "new"};
  }

  @Override
  public byte[] blob(long id) {
    count("blob");
    return new byte[] {(byte) id, 0, -1};
  }

  @Override
  public int[][] grid(long id) {
    count("grid");
    return new int[][] {{(int) id}, {1, 2}};
  }

  @Override
  public String level(Level level) {
    count("level");
    return "level " + level.name();
  }

  @Override
  public Product save(Product p) {
    count("save");
    return p;
  }

  @Override
  public void touch(long id) {
    count("touch");
  }

  @Override
  public int transfer(long id, long userId) {
    count("transfer");
    return 1;
  }

  @Override
  public String describe(long id) {
    count("describe");
    return "product " + id;
  }
}
