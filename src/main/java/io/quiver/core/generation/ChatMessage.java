package io.quiver.core.generation;

/** One message of a conversation, as chat templates read it. */
public record ChatMessage(String role, String content) {}
