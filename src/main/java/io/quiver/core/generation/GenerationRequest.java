package io.quiver.core.generation;

/**
 * One text to continue.
 *
 * @param prompt the text, chat template already applied for chats
 * @param sampling how tokens are picked and when to stop
 */
public record GenerationRequest(String prompt, Sampling sampling) {}
