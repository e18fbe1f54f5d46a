package io.realtime.cluster; final class Placeholder {}
