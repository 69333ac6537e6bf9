// Starlight's docs collection holds the home page; the chapter and team pages
// are built from the manifest and the results (src/pages/), inside Starlight's
// frame through <StarlightPage>.
import { defineCollection } from 'astro:content';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }),
};
