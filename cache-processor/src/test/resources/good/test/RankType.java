package test;

public enum RankType {
  continuous,
  total
}
