package test;

import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;

public class ProjectRepository {
  private final String table;

  public ProjectRepository(String table) {
    this.table = table;
  }

  protected ProjectRepository() {
    this("projects");
  }

  @Cached(cache = "names", key = "name:{id}")
  public String name(int id) {
    return table + id;
  }

  @Invalidate(cache = "names", key = "name:{id}")
  protected void rename(int id, String name) {}

  public String table() {
    return table;
  }
}
