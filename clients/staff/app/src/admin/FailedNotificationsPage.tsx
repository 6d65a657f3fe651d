import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useMutation, useQuery } from 'urql';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt, formatDateTime } from '../../../../shared/ui/strings';
import { FailedNotificationsDocument, RetryNotificationDocument } from '../../../src/generated/graphql';
import { usePageTitle } from '../title';
import { Done, doneNote, type DoneNote } from './Done';
import { adminErrorText } from './errors';
import { adminSv as a } from './strings.sv';

/** SMS and e-mail notifications that failed after all their retries (dead letters), each with "Skicka om". */
export function FailedNotificationsPage() {
  const n = a.notifications;
  usePageTitle(n.title);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: FailedNotificationsDocument,
    requestPolicy: 'network-only',
  });
  const [, retry] = useMutation(RetryNotificationDocument);
  const [busy, setBusy] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<DoneNote>();
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const list = data?.failedNotifications;

  const onRetry = async (id: string) => {
    setBusy(id);
    setProblem(undefined);
    setDone(undefined);
    const result = await retry({ id });
    setBusy(undefined);
    if (result.error) {
      setProblem(adminErrorText(result.error, 'notification'));
    } else {
      // The row goes from the list: focus goes to the confirmation.
      setDone(doneNote(n.retried));
    }
    refresh();
  };

  return (
    <>
      <div className="page-head">
        <h1>{n.title}</h1>
        <Button className="button" onPress={refresh}>
          {n.refresh}
        </Button>
      </div>
      <p>{n.lead}</p>
      {problem && (
        <div className="alert alert--error" role="alert">
          <p>{problem}</p>
        </div>
      )}
      <Done note={done} focus />
      {!list && <QueryState fetching={fetching} error={error} retry={refresh} />}
      {list && list.length === 0 && <p data-testid="no-failed-notifications">{n.empty}</p>}
      {list && list.length > 0 && (
        <table className="admin-table" data-testid="failed-notifications">
          <caption className="visually-hidden">{n.title}</caption>
          <thead>
            <tr>
              <th scope="col">{n.channel}</th>
              <th scope="col">{n.kind}</th>
              <th scope="col">{n.createdAt}</th>
              <th scope="col">{n.failedAt}</th>
              <th scope="col">{n.attempts}</th>
              <th scope="col">{n.lastError}</th>
              <th scope="col">{n.person}</th>
              <th scope="col">
                <span className="visually-hidden">{n.retry}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((f) => {
              const channel = n.channels[f.channel] ?? f.channel;
              return (
                <tr key={f.id} data-testid="failed-notification">
                  <td data-label={n.channel}>{channel}</td>
                  <td data-label={n.kind}>{n.kinds[f.kind] ?? f.kind}</td>
                  <td data-label={n.createdAt} className="admin-table__time">
                    <time dateTime={f.createdAt}>{formatDateTime(f.createdAt)}</time>
                  </td>
                  <td data-label={n.failedAt} className="admin-table__time">
                    {f.failedAt ? <time dateTime={f.failedAt}>{formatDateTime(f.failedAt)}</time> : '–'}
                  </td>
                  <td data-label={n.attempts}>{f.attempts}</td>
                  <td data-label={n.lastError} className="admin-table__error">
                    {f.lastError ?? n.none}
                  </td>
                  <td data-label={n.person} className="admin-table__id">
                    {f.personId}
                  </td>
                  <td className="admin-table__actions">
                    <Button
                      className="button"
                      isDisabled={busy === f.id}
                      aria-label={fmt(n.retryNamed, { channel, time: formatDateTime(f.createdAt) })}
                      onPress={() => void onRetry(f.id)}
                    >
                      {n.retry}
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
