import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { ProfileTestResultT, ProfileViewT } from '../../../src-shared/contract.js'
import { api } from '../client/api.js'
import { TestDetail } from './TestResult.js'
import { useToasts } from './Toasts.js'

/**
 * The Overview's test result beyond the version and latency: each hop, the failed hop with its remedy,
 * and "Trust and connect" for an unknown SSH host key (retests with acceptHostKeys, which records it).
 */
export function ProfileTestCard({ profile, result }: { profile: ProfileViewT; result: ProfileTestResultT }) {
  const queryClient = useQueryClient()
  const toasts = useToasts()
  const trust = useMutation({
    mutationFn: (fingerprint: string) => api('profiles.test', { id: profile.id, acceptHostKeys: [fingerprint] }),
    onSuccess: (next) => queryClient.setQueryData(['test', profile.id], next),
    onError: (error) => toasts.error(error),
  })
  return (
    <div
      data-testid={result.ok ? 'test-hops-card' : 'test-error'}
      data-code={result.ok ? undefined : result.error.code}
    >
      <TestDetail
        result={result}
        // "Ask every time" profiles need the password typed again: test from the toolbar instead.
        onTrust={profile.passwordMode === 'ask' ? undefined : (fingerprint) => trust.mutate(fingerprint)}
        trusting={trust.isPending}
        hideSuccess
      />
    </div>
  )
}
