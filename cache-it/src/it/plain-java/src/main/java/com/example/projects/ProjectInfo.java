package com.example.projects;

/** A value to cache: a record, stored in Redis as JSON. */
public record ProjectInfo(long id, String name, int members) {}
