import { z } from 'zod'

export const JobRef = z.object({ jobId: z.string() })
