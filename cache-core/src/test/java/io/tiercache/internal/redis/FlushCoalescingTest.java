package io.tiercache.internal.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FlushCoalescing} on a real event loop and channel pair: writes queued on the loop at the
 * same moment reach the transport with one flush, a lone write with its own flush at once, and
 * nothing is lost either way.
 */
class FlushCoalescingTest {

  private DefaultEventLoopGroup group;
  private Channel server;
  private Channel client;
  private final List<Object> received = new CopyOnWriteArrayList<>();
  /** Flushes that passed the handler toward the transport. */
  private final AtomicInteger transportFlushes = new AtomicInteger();

  @BeforeEach
  void connect() throws Exception {
    group = new DefaultEventLoopGroup(1);
    LocalAddress address = new LocalAddress("flush-coalescing-" + System.nanoTime());
    server = new ServerBootstrap()
        .group(group)
        .channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.add(msg);
              }
            });
          }
        })
        .bind(address)
        .sync()
        .channel();
    client = new Bootstrap()
        .group(group)
        .channel(LocalChannel.class)
        .handler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
              @Override
              public void flush(ChannelHandlerContext ctx) {
                transportFlushes.incrementAndGet();
                ctx.flush();
              }
            });
            ch.pipeline().addLast(new FlushCoalescing());
          }
        })
        .connect(address)
        .sync()
        .channel();
  }

  @AfterEach
  void close() throws Exception {
    client.close().sync();
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private void awaitReceived(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (received.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(count, received.size(), "every write reaches the other side");
  }

  @Test
  void writesQueuedTogether_goOutWithOneFlush() throws Exception {
    EventLoop loop = client.eventLoop();
    CountDownLatch hold = new CountDownLatch(1);
    loop.execute(() -> {
      try {
        hold.await(5, TimeUnit.SECONDS); // the loop is busy while the writes queue behind it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < 10; i++) {
      String message = "m" + i;
      loop.execute(() -> client.writeAndFlush(message)); // as Lettuce does, from a caller
    }
    hold.countDown();
    awaitReceived(10);
    assertEquals(1, transportFlushes.get(), "ten writes, one flush to the transport");
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"), received);
  }

  @Test
  void aLoneWrite_isFlushedAtOnce() throws Exception {
    CountDownLatch flushedInTheTask = new CountDownLatch(1);
    client.eventLoop().execute(() -> {
      client.writeAndFlush("alone");
      if (transportFlushes.get() == 1) {
        flushedInTheTask.countDown();
      }
    });
    assertTrue(
        flushedInTheTask.await(5, TimeUnit.SECONDS),
        "the flush of a write with nothing queued behind it is not put off");
    awaitReceived(1);
  }

  @Test
  void aWriteFromAnotherThread_isFlushedAndReceived() throws Exception {
    client.writeAndFlush("from a caller").sync();
    awaitReceived(1);
    assertEquals(1, transportFlushes.get());
  }

  @Test
  void closingWithAFlushQueued_sendsWhatWasWrittenFirst() throws Exception {
    EventLoop loop = client.eventLoop();
    CountDownLatch done = new CountDownLatch(1);
    loop.execute(() -> {
      loop.execute(() -> {}); // a task behind this one: the flush below is put off
      client.writeAndFlush("last");
      client.close();
      done.countDown();
    });
    assertTrue(done.await(5, TimeUnit.SECONDS));
    awaitReceived(1);
  }
}
