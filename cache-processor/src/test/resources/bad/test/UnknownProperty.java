package test;

import io.tiercache.annotation.CachePut;

interface UnknownProperty {
  record Project(long id, String name) {}

  @CachePut(cache = "c", key = "project:{p.ident}:info")
  Project save(Project p);
}
