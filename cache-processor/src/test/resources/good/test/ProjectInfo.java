package test;

public record ProjectInfo(long id, String name) {}
