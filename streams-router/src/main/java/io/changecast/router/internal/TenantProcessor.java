package io.changecast.router.internal;

import io.changecast.router.ChangeEvent;
import io.changecast.router.TenantResolver;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Resolves the tenant of each {@link Step.Parsed} record: from the event itself ({@link
 * TenantResolver}), or, when the event carries no document (deletes, updates without post-image),
 * from the tenant remembered for the same document. Runs before the repartition, where all events
 * of one document share a partition, so the store sees them in order. A delete forgets the
 * document. Emits {@link Step.Resolved} or {@link Step.Rejected}.
 */
public final class TenantProcessor implements FixedKeyProcessor<String, Step, Step> {

  private final String storeName;
  private final Function<ChangeEvent, TenantResolver> resolvers;
  private FixedKeyProcessorContext<String, Step> context;
  private KeyValueStore<String, String> documentTenants;

  /**
   * @param resolvers the tenant strategy for an event (per namespace)
   */
  public TenantProcessor(String storeName, Function<ChangeEvent, TenantResolver> resolvers) {
    this.storeName = storeName;
    this.resolvers = resolvers;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Step> context) {
    this.context = context;
    this.documentTenants = context.getStateStore(storeName);
  }

  @Override
  public void process(FixedKeyRecord<String, Step> record) {
    Step.Parsed parsed = (Step.Parsed) record.value();
    ChangeEvent event = parsed.event();
    String documentKey = DocumentKeys.of(event);
    TenantResolver resolver = resolvers.apply(event);
    Optional<String> direct = resolver.resolve(event);
    String tenant = direct.orElse(null);
    if (tenant == null && event.document() == null) {
      tenant = documentTenants.get(documentKey);
    }
    if (tenant == null) {
      context.forward(record.withValue(unresolved(parsed, resolver)));
      return;
    }
    if (event.operation() == ChangeEvent.Operation.DELETE) {
      documentTenants.delete(documentKey);
    } else if (direct.isPresent() && !Objects.equals(documentTenants.get(documentKey), tenant)) {
      documentTenants.put(documentKey, tenant);
    }
    context.forward(record.withValue(new Step.Resolved(tenant, event)));
  }

  private static Step.Rejected unresolved(Step.Parsed parsed, TenantResolver resolver) {
    ChangeEvent event = parsed.event();
    String detail =
        event.document() != null
            ? "the document gives no tenant (" + resolver + ")"
            : "the event has no document and no earlier event of this document named its tenant";
    return new Step.Rejected(parsed.raw(), Stage.RESOLVE_TENANT, Reason.TENANT_UNRESOLVED, detail);
  }
}
